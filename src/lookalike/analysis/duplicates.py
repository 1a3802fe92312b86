"""Near-duplicates: pairs of vectors above a cosine threshold (never an N x N matrix),
duplicate sets (connected components, or stricter medoid groups), and exact duplicates
by hash."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from lookalike._mmap import read_block, read_rows
from lookalike.analysis._display import html_table, name_of, text_table
from lookalike.search import FaissIVFIndex, KnnIndex, choose_index, pairs_above, range_recall

__all__ = [
    "DEFAULT_THRESHOLD",
    "SCORINGS",
    "Duplicates",
    "Pairs",
    "RootVectors",
    "TwoViewVectors",
    "exact_duplicate_sets",
    "exact_duplicates",
    "find_duplicates",
    "group_pairs",
    "near_duplicate_pairs",
    "pair_scores",
    "scored_vectors",
]


DEFAULT_THRESHOLD = 0.78  # of "centre" scores: tuned by bench/duplicates_transfer.py
SCORINGS = ("centre", "root", "cosine")


class RootVectors:
    """A read-only view of unit ``vectors`` whose rows are power-normalised on access:
    ``sign(x) * sqrt(|x|)``, re-normalised (as RootSIFT does for SIFT). Their cosine,
    the "root" score, separates copies from other pictures better than the plain cosine
    of pooled CNN features (docs/duplicates.md). Rows are computed block by block, so a
    memory map stays one.

    >>> v = RootVectors(np.array([[0.6, 0.8], [1.0, 0.0]], dtype=np.float32))
    >>> [round(float(a), 3) for a in v[0]]
    [0.655, 0.756]
    """

    def __init__(self, vectors: np.ndarray) -> None:
        self.base = vectors
        self.shape = vectors.shape
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, key) -> np.ndarray:
        x = np.asarray(self.base[key], dtype=np.float32)
        x = np.sign(x) * np.sqrt(np.abs(x))
        norms = np.linalg.norm(x, axis=-1, keepdims=True)
        return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:]


class TwoViewVectors:
    """A read-only view of two aligned sets of unit vectors, the whole pictures and their
    centre views, whose row ``i`` is ``[root(whole[i]), root(centre[i])] / sqrt(2)``
    (root: :class:`RootVectors`), of shape ``(n, 2 * dim)``.

    The cosine of two rows is the mean of the root scores of the two whole pictures and
    of their two centre views: the "centre" score. Rows are computed block by block, so
    memory maps stay ones and every exact or approximate search works on it unchanged.

    >>> whole = np.array([[1, 0], [0, 1]], dtype=np.float32)
    >>> centre = np.array([[1, 0], [1, 0]], dtype=np.float32)
    >>> v = TwoViewVectors(whole, centre)
    >>> v.shape, round(float(v[0] @ v[1]), 6)  # the mean of 0 (whole) and 1 (centre)
    ((2, 4), 0.5)

    ``root=False`` takes the two as they are (plain cosines): for vectors reduced by PCA,
    whose signed, centred coordinates a power normalisation would only distort.
    """

    def __init__(self, whole: np.ndarray, centre: np.ndarray, *, root: bool = True) -> None:
        if centre.shape != whole.shape:
            raise ValueError(
                f"The centre-view vectors have shape {centre.shape}; the whole-picture "
                f"vectors have shape {whole.shape}: they must be aligned row by row."
            )
        if root:
            whole, centre = RootVectors(whole), RootVectors(centre)
        self.whole, self.centre = whole, centre
        self.parts = (self.whole, self.centre)  # what _mmap.release_pages releases
        self.shape = (whole.shape[0], 2 * whole.shape[1])
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key) -> np.ndarray:
        both = np.concatenate(
            [np.asarray(self.whole[key], np.float32), np.asarray(self.centre[key], np.float32)],
            axis=-1,
        )
        return both * np.float32(np.sqrt(0.5))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:]


def scored_vectors(
    vectors: np.ndarray,
    scoring: str = "centre",
    centre: np.ndarray | None = None,
    *,
    root: bool = True,
):
    """``vectors`` as seen by a scoring, whose cosine is the duplicate score:
    ``"centre"`` (:class:`TwoViewVectors` of ``vectors`` and their ``centre`` views,
    aligned row by row), ``"root"`` (:class:`RootVectors`) or ``"cosine"`` (as they are).
    ``root=False`` leaves out the power normalisation (vectors reduced by PCA): "root"
    is then the plain cosine, "centre" the mean of the two plain cosines.

    Raises
    ------
    ValueError
        ``scoring="centre"`` without ``centre``.
    """
    if scoring == "centre":
        if centre is None:
            raise ValueError(
                "scoring='centre' needs the centre-view vectors ('centre'); "
                "without them use scoring='root'."
            )
        return TwoViewVectors(vectors, centre, root=root)
    return RootVectors(vectors) if scoring == "root" and root else vectors


class Pairs(NamedTuple):
    """Pairs of rows ``i < j`` with their cosine ``score``, best first."""

    i: np.ndarray  # int64
    j: np.ndarray  # int64
    score: np.ndarray  # float32

    def __len__(self) -> int:  # type: ignore[override]
        return len(self.score)


def _empty_pairs() -> Pairs:
    return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))


def _sorted_pairs(i: np.ndarray, j: np.ndarray, s: np.ndarray) -> Pairs:
    order = np.lexsort((j, i, -s))  # best first, ties by (i, j)
    return Pairs(i[order].astype(np.int64), j[order].astype(np.int64), s[order].astype(np.float32))


def near_duplicate_pairs(
    vectors: np.ndarray,
    *,
    threshold: float,
    index: KnnIndex | None = None,
    candidate_threshold: float | None = None,
    block: int = 2048,
    db_block: int = 16384,
    bound_dims: int | None = None,
) -> Pairs:
    """Every pair of rows whose cosine similarity is ``>= threshold``.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
        Unit rows (a memory map is read block by block).
    threshold : float
        Cosine similarity in [-1, 1].
    index : KnnIndex, optional
        Without it the search is exact: blockwise matrix products over the upper
        triangle, keeping only the pairs above the threshold (extra memory about
        ``4 * block * db_block`` bytes, 128 MiB at the defaults), with an exact bound
        that skips the pairs that cannot reach it (``search.pairs_above``). With it, candidates
        come from ``index.range_search`` at ``candidate_threshold`` (an approximate index
        may score coarsely) and every candidate is re-scored exactly on ``vectors``.
    candidate_threshold : float, optional
        Range-search threshold for ``index`` (default: ``threshold``).
    block, db_block : int
        Query rows and database rows scored together.
    bound_dims : int, optional
        Dimensions of the exact search's pruning bound (``0``: score every pair in
        full; default: chosen on a sample).

    Returns
    -------
    Pairs
        ``i < j``, sorted by score, best first.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.96, 0.28], [0, 1], [0.28, 0.96]], dtype=np.float32)
    >>> p = near_duplicate_pairs(x, threshold=0.9)
    >>> p.i.tolist(), p.j.tolist(), [round(float(v), 2) for v in p.score]
    ([0, 2], [1, 3], [0.96, 0.96])
    """
    if index is None:
        i, j, s = pairs_above(
            vectors, threshold, block=block, db_block=db_block, bound_dims=bound_dims
        )
        return _sorted_pairs(i, j, s)
    return _pairs_from_index(vectors, index, threshold, candidate_threshold, block)


def _pairs_from_index(
    x: np.ndarray, index: KnnIndex, t: float, t_cand: float | None, block: int
) -> Pairs:
    """Candidates by range search (both directions, merged), re-scored exactly."""
    n = len(x)
    keys = []
    for qs in range(0, n, block):
        q = read_block(x, qs, qs + block)
        lims, _, ids = index.range_search(q, t if t_cand is None else t_cand)
        rows = np.repeat(np.arange(qs, qs + len(q)), np.diff(lims))
        ok = (ids >= 0) & (ids != rows)
        a, b = np.minimum(rows[ok], ids[ok]), np.maximum(rows[ok], ids[ok])
        keys.append(np.unique(a * n + b))
    if not keys:
        return _empty_pairs()
    key = np.unique(np.concatenate(keys))
    i, j = key // n, key % n
    s = pair_scores(x, i, j)
    keep = s >= t
    return _sorted_pairs(i[keep], j[keep], s[keep])


def pair_scores(vectors: np.ndarray, i: np.ndarray, j: np.ndarray, *, chunk: int = 16384):
    """Cosine similarity of rows ``i[k]`` and ``j[k]`` for every k, in chunks.

    >>> x = np.array([[1, 0], [0.6, 0.8]], dtype=np.float32)
    >>> [round(float(v), 2) for v in pair_scores(x, np.array([0]), np.array([1]))]
    [0.6]
    """
    out = np.empty(len(i), dtype=np.float32)
    for s in range(0, len(i), chunk):
        a = read_rows(vectors, i[s : s + chunk])
        b = read_rows(vectors, j[s : s + chunk])
        out[s : s + chunk] = np.einsum("ij,ij->i", a, b)
    return out


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


@dataclass(frozen=True)
class Duplicates:
    """Near-duplicate pairs and duplicate sets of a collection.

    Attributes
    ----------
    pairs : DataFrame
        Columns ``a, b, score`` (image ids, cosine similarity), best first, plus ``uri_a``
        and ``uri_b``.
    groups : list of list of str
        Duplicate sets (image ids), largest first.
    threshold : float
    model : str
    method : str
        ``"exact"`` or the approximate index used.
    recall : float or None
        Recall of the approximate search against the exact one on a sample.
    """

    pairs: Any
    groups: list[list[str]]
    threshold: float
    model: str
    method: str = "exact"
    recall: float | None = None
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.pairs)

    def to_frame(self):
        """The pairs as a DataFrame (a, b, score, uri_a, uri_b)."""
        return self.pairs

    def groups_frame(self):
        """One row per image in a duplicate set: group, id."""
        import pandas as pd

        rows = [(g, image_id) for g, ids in enumerate(self.groups, 1) for image_id in ids]
        return pd.DataFrame(rows, columns=["group", "id"])

    def summary(self) -> str:
        """One line: how many pairs and sets, at which threshold, how they were found."""
        how = self.method + (f", recall on a sample {self.recall:.3f}" if self.recall else "")
        return (
            f"{len(self.pairs)} near-duplicate pairs in {len(self.groups)} sets "
            f"(score >= {self.threshold:g}, {self.model}, {how})."
        )

    def __str__(self) -> str:
        lines = [self.summary()]
        lines += [f"  note: {n}" for n in self.notes]
        uris = {}  # name the members by file when the pairs carry their uris
        if "uri_a" in self.pairs:
            uris = dict(zip(self.pairs["a"], self.pairs["uri_a"], strict=True))
            uris.update(zip(self.pairs["b"], self.pairs["uri_b"], strict=True))
        for g, ids in enumerate(self.groups[:20], 1):
            names = [name_of(uris.get(i, ""), i) for i in ids[:8]]
            lines.append(
                f"  set {g} ({len(ids)}): " + ", ".join(names) + (" ..." if len(ids) > 8 else "")
            )
        if len(self.groups) > 20:
            lines.append(f"  ... {len(self.groups) - 20} more sets")
        return "\n".join(lines)

    def _rows(self) -> list[tuple]:
        import pandas as pd

        p = self.pairs
        uri_a = p["uri_a"] if "uri_a" in p else [""] * len(p)
        uri_b = p["uri_b"] if "uri_b" in p else [""] * len(p)
        sets = p["set"] if "set" in p else [""] * len(p)
        copies = p["copy"] if "copy" in p else [""] * len(p)
        return [
            (
                "" if pd.isna(s) else int(s),
                min(1.0, float(sc)),
                name_of(ua, a, 26),
                name_of(ub, b, 26),
                f"copy ({c})" if c else "",
            )
            for s, sc, a, b, ua, ub, c in zip(
                sets, p["score"], p["a"], p["b"], uri_a, uri_b, copies, strict=True
            )
        ]

    def __repr__(self) -> str:
        return text_table(
            self.summary(), ("set", "score", "a", "b", ""), self._rows(), more="pairs"
        )

    def _repr_html_(self) -> str:
        return html_table(
            self.summary(), ("set", "score", "a", "b", ""), self._rows(), more="pairs"
        )


def find_duplicates(
    vectors: np.ndarray,
    ids: Sequence[str],
    *,
    threshold: float,
    exact: bool | None = None,
    strict: bool = False,
    uris: Sequence[str] | None = None,
    model: str = "",
    scoring: str = "centre",
    centre: np.ndarray | None = None,
    notes: Sequence[str] = (),
    candidate_margin: float = 0.05,
    recall_sample: int = 500,
    root: bool = True,
) -> Duplicates:
    """Near-duplicate pairs and sets of a collection's vectors.

    The search is exact (blockwise) up to ``search.EXACT_MAX`` vectors or with
    ``exact=True``; above it a compressed FAISS IVF index proposes candidates at
    ``threshold - candidate_margin``, every candidate is re-scored exactly, and the
    recall against exact search is measured on ``recall_sample`` random images.
    ``scoring="centre"`` compares the whole pictures and their ``centre`` views
    (:class:`TwoViewVectors`), ``"root"`` power-normalised vectors
    (:class:`RootVectors`), ``"cosine"`` the vectors as they are (see
    :func:`scored_vectors`; ``root=False`` for vectors reduced by PCA). ``notes`` are
    kept in the result.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.96, 0.28], [0, 1]], dtype=np.float32)
    >>> d = find_duplicates(x, ["a", "b", "c"], threshold=0.9, scoring="cosine")
    >>> d.groups, d.pairs[["a", "b"]].values.tolist()
    ([['a', 'b']], [['a', 'b']])
    """
    import pandas as pd

    vectors = scored_vectors(vectors, scoring, centre, root=root)
    index = choose_index(vectors, task="pairs", exact=exact)  # over the scored vectors
    recall = None
    if isinstance(index, FaissIVFIndex):
        t_cand = max(-1.0, threshold - candidate_margin)
        pairs = near_duplicate_pairs(
            vectors, threshold=threshold, index=index, candidate_threshold=t_cand
        )
        recall = range_recall(
            index, vectors, threshold, candidate_threshold=t_cand, sample=recall_sample
        )
        method = f"approximate: faiss IVF{index.nlist} PCA{index.pca} SQ8, nprobe {index.nprobe}"
    else:
        pairs = near_duplicate_pairs(vectors, threshold=threshold)
        method = "exact"
    method += f", {scoring} scores"
    groups = group_pairs(len(vectors), pairs, strict=strict, vectors=vectors, threshold=threshold)
    ids = np.asarray(ids, dtype=object)
    frame = pd.DataFrame({"a": ids[pairs.i], "b": ids[pairs.j], "score": pairs.score})
    if uris is not None:
        uris = np.asarray(uris, dtype=object)
        frame["uri_a"], frame["uri_b"] = uris[pairs.i], uris[pairs.j]
    return Duplicates(
        pairs=frame,
        groups=[[str(ids[m]) for m in g] for g in groups],
        threshold=threshold,
        model=model,
        method=method,
        recall=recall,
        notes=list(notes),
    )
