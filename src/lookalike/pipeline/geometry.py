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

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from lookalike import matching
from lookalike._progress import progress_bar
from lookalike.imaging import decode
from lookalike.matching import SIDE, Geometry, Keypoints, geometry, keypoints
from lookalike.sources import records_of_uris
from lookalike.store import Store
from lookalike.store.results import load_arrays, save_arrays

__all__ = ["pair_geometry"]

THREADS = 2  # OpenCV and the decoders release the GIL


def pair_geometry(
    store: Store, ids: Sequence[str], *, progress: bool | None = None
) -> Callable[[np.ndarray, np.ndarray], list[Geometry]]:
    """A function of candidate pairs (rows ``i``, ``j`` into ``ids``) that gives each
    pair's :class:`~lookalike.matching.Geometry`: images with identical pixels (or
    files) are ``identical`` without being read; an image that cannot be read again
    (moved, offline) gives its pairs no evidence (``Geometry()``)."""
    rows = {r.id: r for r in store.catalog.images(status="ok")}

    def check(i: np.ndarray, j: np.ndarray) -> list[Geometry]:
        out = [Geometry()] * len(i)
        same = [_same_pixels(rows.get(ids[a]), rows.get(ids[b])) for a, b in zip(i, j, strict=True)]
        for k in np.flatnonzero(same):
            out[k] = Geometry(identical=True)
        cache = Verdicts(store)
        keys = [cache.key(rows.get(ids[a]), rows.get(ids[b])) for a, b in zip(i, j, strict=True)]
        for k, key in enumerate(keys):
            if not same[k] and key in cache.found:
                out[k] = cache.found[key]
        todo = np.flatnonzero([not same[k] and keys[k] not in cache.found for k in range(len(i))])
        if not len(todo):
            return out
        i, j = np.asarray(i)[todo], np.asarray(j)[todo]
        known = np.zeros(len(out), dtype=bool)  # a verdict from pictures read
        with progress_bar(progress, f"checking the geometry of {len(i)} pairs") as update:
            done = 0
            with ThreadPoolExecutor(THREADS) as pool:
                for members in _groups(i, j):
                    pairs = [(int(i[k]), int(j[k])) for k in members]
                    for k, g in zip(members, _check_group(pool, rows, ids, pairs), strict=True):
                        if g is not None:  # None: a picture could not be read again
                            out[todo[k]] = g
                            known[todo[k]] = True
                    done += len(members)
                    if update:
                        update(done, len(i))
        cache.save({keys[k]: out[k] for k in todo if keys[k] is not None and known[k]})
        return out

    return check


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
        new = {k: g for k, g in new.items() if not g.identical}
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


def _check_group(pool, rows, ids, pairs: list[tuple[int, int]]) -> list[Geometry | None]:
    """The geometry of each pair of rows of one group (None where a picture could not
    be read again); each image read once."""
    images = sorted({m for pair in pairs for m in pair})
    found = dict(zip(images, pool.map(lambda m: _keypoints(rows.get(ids[m])), images), strict=True))
    return list(pool.map(lambda pair: _geometry(found[pair[0]], found[pair[1]]), pairs))


def _same_pixels(a, b) -> bool:
    """Whether the catalog rows ``a`` and ``b`` hold identical files or pixels."""
    if a is None or b is None:
        return False
    return bool(
        (a.content_hash and a.content_hash == b.content_hash)
        or (a.pixel_hash and a.pixel_hash == b.pixel_hash)
    )


def _keypoints(row) -> Keypoints | None:
    """Key points of a catalogued image, or None when it cannot be read again."""
    if row is None or row.metadata.get("missing_file"):
        return None
    try:
        (record,) = records_of_uris([(row.uri, row.metadata)])
        data = record.path.read_bytes() if record.is_local else record.loader(record.uri)
        return keypoints(decode(data, min_side=SIDE).image)
    except Exception:  # moved, offline, or no longer an image: no evidence
        return None


def _geometry(a: Keypoints | None, b: Keypoints | None) -> Geometry | None:
    return None if a is None or b is None else geometry(a, b)
