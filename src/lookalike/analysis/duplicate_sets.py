"""Duplicate sets: the connected components of the pairs (or stricter groups around
medoids), and sets of exact duplicates by hash."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from lookalike.analysis.duplicate_pairs import Pairs

__all__ = ["exact_duplicate_sets", "exact_duplicates", "group_pairs"]


def group_pairs(
    n: int,
    pairs: Pairs,
    *,
    strict: bool = False,
    vectors: np.ndarray | None = None,
    threshold: float | None = None,
) -> list[list[int]]:
    """Duplicate sets: the connected components (of size >= 2) of the pair graph.

    Parameters
    ----------
    n : int
        Number of rows.
    pairs : Pairs
    strict : bool, default=False
        Split each component until every member scores ``>= threshold`` with its
        group's medoid (the member most similar to the others), so that a chain of weak
        links cannot glue unrelated images together. Needs ``vectors`` and
        ``threshold``.

    Returns
    -------
    list of list of int
        Groups of rows (two or more), each sorted; largest group first. With
        ``strict``, a member close to no medoid is left out.

    Examples
    --------
    >>> p = Pairs(np.array([0, 1, 4]), np.array([1, 2, 5]), np.array([0.95, 0.95, 0.99]))
    >>> group_pairs(6, p)
    [[0, 1, 2], [4, 5]]
    >>> a = np.radians([0, 15, 30, 50])  # a chain: 0 and 2 are 30 degrees apart (cos 0.87)
    >>> x = np.stack([np.cos(a), np.sin(a)], axis=1).astype(np.float32)
    >>> chain = Pairs(np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([0.97, 0.97, 0.94]))
    >>> group_pairs(4, chain)
    [[0, 1, 2, 3]]
    >>> group_pairs(4, chain, strict=True, vectors=x, threshold=0.9)  # medoid 2
    [[1, 2, 3]]
    """
    components = _components(n, pairs.i, pairs.j)
    if strict:
        if vectors is None or threshold is None:
            raise ValueError("strict grouping needs 'vectors' and 'threshold'.")
        components = [g for c in components for g in _split_by_medoid(c, pairs, vectors, threshold)]
    groups = [sorted(int(m) for m in c) for c in components if len(c) >= 2]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def _components(n: int, i: np.ndarray, j: np.ndarray) -> list[np.ndarray]:
    """Connected components of size >= 2. No input validation."""
    if len(i) == 0:
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    members = np.unique(np.concatenate([i, j]))
    by_label: dict[int, list[int]] = defaultdict(list)
    for m in members:
        by_label[int(labels[m])].append(int(m))
    return [np.array(v) for v in by_label.values() if len(v) >= 2]


def _split_by_medoid(
    members: np.ndarray, pairs: Pairs, vectors: np.ndarray, t: float, max_exact: int = 4096
) -> Iterator[np.ndarray]:
    """Split one component into medoid-centred groups. No input validation."""
    todo = [np.sort(members)]
    inside = set(members.tolist())
    edges = [(a, b) for a, b in zip(pairs.i.tolist(), pairs.j.tolist(), strict=True) if a in inside]
    while todo:
        group = todo.pop()
        if len(group) == 1:
            yield group
            continue
        x = np.asarray(vectors[group], dtype=np.float32)
        ref = x if len(group) <= max_exact else x[:: max(1, len(group) // max_exact)]
        medoid = int(np.argmax((x @ ref.T).sum(axis=1)))
        close = (x @ x[medoid]) >= t
        close[medoid] = True
        yield group[close]
        rest = group[~close]
        if len(rest):
            keep = set(rest.tolist())
            sub = [(a, b) for a, b in edges if a in keep and b in keep]
            pos = {m: k for k, m in enumerate(rest.tolist())}
            si = np.array([pos[a] for a, _ in sub], dtype=np.int64)
            sj = np.array([pos[b] for _, b in sub], dtype=np.int64)
            linked = _components(len(rest), si, sj)
            seen = set()
            for c in linked:
                todo.append(rest[c])
                seen.update(c.tolist())
            todo += [rest[[k]] for k in range(len(rest)) if k not in seen]


def exact_duplicates(hashes: Sequence[Any]) -> list[list[int]]:
    """Groups of positions whose hash is equal (``None`` never matches).

    >>> exact_duplicates(["a", "b", "a", None, None, "b", "c"])
    [[0, 2], [1, 5]]
    """
    by_hash: dict[Any, list[int]] = defaultdict(list)
    for pos, h in enumerate(hashes):
        if h is not None:
            by_hash[h].append(pos)
    return sorted((g for g in by_hash.values() if len(g) >= 2), key=lambda g: g[0])


def exact_duplicate_sets(
    content_hashes: Sequence[Any], pixel_hashes: Sequence[Any]
) -> list[tuple[list[int], str]]:
    """Sets of identical files (same bytes: kind ``"file"``) or identical decoded pixels
    (kind ``"pixels"``: e.g. one picture saved as PNG and as BMP), as positions.

    >>> exact_duplicate_sets(["f1", "f1", "f2", "f3"], ["p1", "p1", "p1", "p3"])
    [([0, 1, 2], 'pixels')]
    >>> exact_duplicate_sets(["f1", "f1", "f2"], ["p1", "p1", "p2"])
    [([0, 1], 'file')]
    """
    edges = [g for hashes in (content_hashes, pixel_hashes) for g in exact_duplicates(hashes)]
    i = np.array([g[0] for g in edges for _ in g[1:]], dtype=np.int64)
    j = np.array([m for g in edges for m in g[1:]], dtype=np.int64)
    sets = []
    for c in _components(len(content_hashes), i, j):
        members = sorted(int(m) for m in c)
        same_file = len({content_hashes[m] for m in members}) == 1
        sets.append((members, "file" if same_file else "pixels"))
    return sorted(sets, key=lambda s: s[0][0])

