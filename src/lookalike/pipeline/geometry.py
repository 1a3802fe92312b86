"""The geometric check of candidate duplicate pairs, on the images themselves: each
image of a pair is read again (local file, URL or IIIF service, as when it was indexed)
and decoded at about :data:`lookalike.matching.SIDE`; its key points are matched with
the other's (:func:`lookalike.matching.geometry`).

Pairs are checked one connected group of pairs at a time, so the key points held at
once are those of one group (about 60 KB an image), not of every image in a pair.

Verdicts are kept in ``<collection>/index/geometry.npz``, keyed by the two images'
content hashes and stamped with the check's parameters, so a second command over the
same pairs (``duplicates``, then ``dedup``) reads no image again. The file is a cache:
lost, stale or unwritable, it is simply made again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from lookalike import matching
from lookalike._progress import progress_bar
from lookalike.imaging import decode
from lookalike.matching import SIDE, Geometry, Keypoints, geometry, keypoints
from lookalike.sources import ImageRecord, records_of_uris
from lookalike.store import ImageRow, Store
from lookalike.store.catalog import copy_kind
from lookalike.store.results import load_arrays, save_arrays

__all__ = ["pair_geometry"]

THREADS = 2  # OpenCV and the decoders release the GIL


def pair_geometry(
    store: Store,
    ids: Sequence[str],
    rows: Mapping[str, ImageRow],
    *,
    progress: bool | None = None,
) -> Callable[[np.ndarray, np.ndarray], list[Geometry]]:
    """A function of candidate pairs (rows ``i``, ``j`` into ``ids``; ``rows`` the
    catalog's row of each id) that gives each pair's
    :class:`~lookalike.matching.Geometry`: images with identical files or pixels are
    ``identical`` without being read, a pair checked before has its kept verdict, and an
    image that cannot be read again (moved, offline) gives its pairs no evidence
    (``Geometry()``)."""

    def check(i: np.ndarray, j: np.ndarray) -> list[Geometry]:
        pairs = [(rows.get(ids[a]), rows.get(ids[b])) for a, b in zip(i, j, strict=True)]
        cache = Verdicts(store)
        # None: not known yet (after the check: a picture could not be read again)
        out: list[Geometry | None] = [
            Geometry(identical=True) if copy_kind(a, b) else cache.found.get(Verdicts.key(a, b))
            for a, b in pairs
        ]
        todo = [k for k, g in enumerate(out) if g is None]
        if todo:
            found = _check(rows, ids, np.asarray(i)[todo], np.asarray(j)[todo], progress)
            for k, g in zip(todo, found, strict=True):
                out[k] = g
            cache.save({Verdicts.key(*pairs[k]): out[k] for k in todo if out[k] is not None})
        return [g or Geometry() for g in out]

    return check


def _check(
    rows: Mapping[str, ImageRow],
    ids: Sequence[str],
    i: np.ndarray,
    j: np.ndarray,
    progress: bool | None,
) -> list[Geometry | None]:
    """The geometry of each pair ``(i[k], j[k])``, read from the images (None where a
    picture could not be read again), one connected group of pairs at a time."""
    needed = sorted({int(m) for m in np.r_[i, j]})
    readable = [
        m for m in needed if (row := rows.get(ids[m])) and not row.metadata.get("missing_file")
    ]
    # One call: the remote images share one client (its cache, rate limit and retries).
    wanted = ((rows[ids[m]].uri, rows[ids[m]].metadata) for m in readable)
    records = dict(zip(readable, records_of_uris(wanted), strict=True))
    out: list[Geometry | None] = [None] * len(i)
    with progress_bar(progress, f"checking the geometry of {len(i)} pairs") as update:
        with ThreadPoolExecutor(THREADS) as pool:
            done = 0
            for members in _groups(i, j):
                verdicts = _check_group(pool, records, i, j, members)
                for k, g in zip(members, verdicts, strict=True):
                    out[k] = g
                done += len(members)
                if update:
                    update(done, len(i))
    return out


class Verdicts:
    """The geometric verdicts kept with a collection (``index/geometry.npz``): ``found``
    maps a pair of content hashes (sorted) to its :class:`Geometry`."""

    def __init__(self, store: Store) -> None:
        self.path = store.path / "index" / "geometry.npz"
        self.stamp = (
            f"orb {matching.SIDE} {matching.FEATURES} {matching.FAST} {matching.FIRST} "
            f"{matching.RATIO} magsac {matching.REPROJECTION}"
        )
        saved = load_arrays(self.path, self.stamp) or {}
        self.found: dict[tuple[str, str], Geometry] = {}
        if saved:
            for a, b, n, share in zip(
                saved["a"], saved["b"], saved["inliers"], saved["share"], strict=True
            ):
                self.found[(str(a), str(b))] = Geometry(int(n), float(share))

    @staticmethod
    def key(a, b) -> tuple[str, str] | None:
        """The sorted content hashes of catalog rows ``a`` and ``b`` (None if unknown)."""
        if a is None or b is None or not a.content_hash or not b.content_hash:
            return None
        return tuple(sorted((a.content_hash, b.content_hash)))  # type: ignore[return-value]

    def save(self, new: dict[tuple[str, str], Geometry]) -> None:
        """Keep ``new`` verdicts with the others; a collection that cannot be written
        (read-only, disk full) keeps none, and the check is made again next time."""
        new = {k: g for k, g in new.items() if k is not None and not g.identical}
        if not new:
            return
        everything = {**self.found, **new}
        keys = list(everything)
        arrays = {
            "a": np.array([k[0] for k in keys], dtype=str),
            "b": np.array([k[1] for k in keys], dtype=str),
            "inliers": np.array([everything[k].inliers for k in keys], dtype=np.int32),
            "share": np.array([everything[k].share for k in keys], dtype=np.float32),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_arrays(self.path, self.stamp, arrays)
        except OSError:
            return
        self.found = everything


def _groups(i: np.ndarray, j: np.ndarray) -> list[list[int]]:
    """The pair numbers of each connected group of the pairs ``(i[k], j[k])``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes, inverse = np.unique(np.r_[i, j], return_inverse=True)
    a, b = inverse[: len(i)], inverse[len(i) :]
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes)))
    _, label = connected_components(graph, directed=False)
    order = np.argsort(label[a], kind="stable")
    bounds = np.flatnonzero(np.diff(label[a][order])) + 1
    return [part.tolist() for part in np.split(order, bounds)]


def _check_group(pool, records, i: np.ndarray, j: np.ndarray, members: list[int]):
    """The geometry of the pairs ``members`` of one group; each image read once."""
    images = sorted({int(m) for k in members for m in (i[k], j[k])})
    points = dict(zip(images, pool.map(lambda m: _keypoints(records.get(m)), images), strict=True))
    return pool.map(lambda k: _geometry(points[int(i[k])], points[int(j[k])]), members)


def _keypoints(record: ImageRecord | None) -> Keypoints | None:
    """Key points of a catalogued image, or None when it cannot be read again."""
    if record is None:
        return None
    try:  # a path is read by decode, with its guards (a regular file, a size limit)
        source = record.path if record.is_local else record.loader(record.uri)
        return keypoints(decode(source, min_side=SIDE).image)
    except Exception:  # moved, offline, or no longer an image: no evidence
        return None


def _geometry(a: Keypoints | None, b: Keypoints | None) -> Geometry | None:
    return None if a is None or b is None else geometry(a, b)
