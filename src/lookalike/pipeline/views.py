"""Centre views of a collection's images (:func:`lookalike.imaging.centre_view`),
embedded with the collection's model and stored like any model's vectors, under
``<model>-grey-centre``: keyed by content hash, so each is computed once, and only for the
images that lack one, when a near-duplicate score asks for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from lookalike._progress import progress_bar
from lookalike.errors import IndexNotBuilt, ModelUnavailable
from lookalike.models import Backbone, CentreView, centre_name
from lookalike.pipeline.local import index_records
from lookalike.pipeline.specs import collection_backbone, has_backbone
from lookalike.sources import records_of_uris
from lookalike.store import Embeddings, Store
from lookalike.store.catalog import ImageRow

__all__ = ["AlignedRows", "CentreVectors", "centre_vectors"]


class AlignedRows:
    """A read-only view whose row ``i`` is ``vectors[rows[i]]``, or ``fallback[i]`` where
    ``rows[i] < 0``; rows are gathered on access (block by block), never all at once.

    >>> v = AlignedRows(np.array([[0.0, 1.0]]), np.array([-1, 0]), np.eye(2))
    >>> v[:].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    def __init__(self, vectors: np.ndarray, rows: np.ndarray, fallback: np.ndarray) -> None:
        self.vectors, self.rows, self.fallback = vectors, rows, fallback
        self.parts = (vectors, fallback)  # what release_pages releases
        self.shape = fallback.shape
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key) -> np.ndarray:
        picked = self.rows[key]
        if np.ndim(picked) == 0:
            source = self.vectors[picked] if picked >= 0 else self.fallback[key]
            return np.asarray(source, dtype=np.float32)
        out = np.array(self.fallback[key], dtype=np.float32)
        have = picked >= 0
        if have.any():
            out[have] = self.vectors[picked[have]]
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:]


@dataclass(frozen=True)
class CentreVectors:
    """The centre-view vectors of a model's images, row by row with its whole vectors.

    Attributes
    ----------
    vectors : array-like of shape (n_images, dim), or None
        Row ``i`` belongs to ``emb.ids[i]``: the stored memory map itself when every
        image has one, in the same order; else an :class:`AlignedRows` view, where an
        image without a centre view has its whole vector. ``None`` when the model has
        no image pipeline (imported vectors): there are no centre views at all.
    missing : list of str
        Ids (among those asked for) whose whole vector stands in.
    notes : list of str
        Why, in a sentence, when some or all are missing.
    """

    vectors: object
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def centre_vectors(
    store: Store,
    emb: Embeddings,
    *,
    embed: bool = True,
    ids: Iterable[str] | None = None,
    progress: bool | None = None,
) -> CentreVectors:
    """The centre-view vectors of ``emb``'s images, aligned with ``emb.ids``.

    Parameters
    ----------
    embed : bool, default=True
        Read again the images (of ``ids``) without a centre view and embed them with
        ``CentreView(<emb.model's backbone>)``; only vectors are stored, the catalog's
        rows stay as they are. With False nothing is computed or written.
    ids : iterable of str, optional
        The images that matter (default: all); only they are embedded and counted as
        missing.
    progress : bool, optional
        The progress bar while embedding (default: on a terminal).
    """
    if not has_backbone(store.catalog, emb.model):
        note = (
            f"The {emb.model} vectors were imported, with no model to embed centre views: "
            "these are root scores."
        )
        return CentreVectors(None, notes=[note])
    name = centre_name(emb.model)
    wanted = set(emb.ids) if ids is None else set(ids)
    vectors, missing = _aligned(store, name, emb, wanted)
    why, failed = "none is computed here; `lookalike duplicates` computes them", {}
    if missing and embed:
        try:
            backbone = collection_backbone(store.catalog, emb.model)
        except ModelUnavailable as err:
            why = f"the model cannot run here: {err}"
        else:
            failed = _embed(store, backbone, missing, progress)
            vectors, missing = _aligned(store, name, emb, wanted)
            why = ""
    return CentreVectors(vectors, missing, _notes(store, missing, len(wanted), failed, why))


def _embed(
    store: Store, backbone: Backbone, ids: list[str], progress: bool | None
) -> dict[str, str]:
    """Embed the centre views of images ``ids``; return uri -> reason of the failures."""
    rows = _catalog_rows(store, ids)
    todo = [(r.uri, r.metadata) for r in rows.values() if not r.metadata.get("missing_file")]
    with progress_bar(progress, f"embedding centre views ({backbone.name})") as on_progress:
        report = index_records(
            store,
            list(records_of_uris(todo)),
            CentreView(backbone),
            source="centre views",
            progress=on_progress,
            update_catalog=False,
        )
    return dict(report.failed)


def _aligned(store: Store, name: str, emb: Embeddings, wanted: set[str]):
    """(centre vectors aligned with ``emb.ids``, ids of ``wanted`` with none)."""
    try:
        centre = store.embeddings(name)
    except IndexNotBuilt:
        return emb.vectors, sorted(wanted)
    if len(centre.ids) == len(emb.ids) and np.array_equal(centre.ids, emb.ids):
        return centre.vectors, []  # the usual case: zero copy
    positions = centre.positions()
    rows = np.array([positions.get(i, -1) for i in emb.ids], dtype=np.int64)
    missing = sorted(set(emb.ids[rows < 0]) & wanted)
    return AlignedRows(centre.vectors, rows, emb.vectors), missing


def _catalog_rows(store: Store, ids: list[str]) -> dict[str, ImageRow]:
    keep = set(ids)
    return {r.id: r for r in store.catalog.images(status="ok") if r.id in keep}


def _notes(store: Store, missing: list[str], n: int, failed: dict[str, str], why: str):
    if not missing:
        return []
    head = f"{len(missing)} of {n} images have no centre view"
    tail = "their whole-picture vector stands in for it."
    if why:
        return [f"{head} ({why}): {tail}"]
    reasons = Counter(_reason(r, failed) for r in _catalog_rows(store, missing).values())
    said = "; ".join(f"{count} {reason}" for reason, count in reasons.most_common(3))
    more = "; ..." if len(reasons) > 3 else ""
    return [f"{head} ({said}{more}): {tail}"]


def _reason(row: ImageRow, failed: dict[str, str]) -> str:
    if row.metadata.get("missing_file"):
        return "imported vectors without an image file"
    return failed.get(row.uri, "the file changed since it was indexed")
