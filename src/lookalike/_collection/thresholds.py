"""A collection's own duplicate threshold: synthetic copies of a sample of its images
(true copies) and its nearest-neighbour scores (mostly distinct pictures), and its
labelled pairs when it has some (see :func:`lookalike.analysis.auto_threshold`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lookalike import analysis, imaging, search
from lookalike._collection.duplicates import rooted, scored_vectors
from lookalike._collection.rows import vector_rows
from lookalike._progress import progress_bar
from lookalike.copies import synthetic_copies
from lookalike.errors import ImageDecodeError, ModelUnavailable
from lookalike.pipeline.specs import collection_backbone, has_backbone
from lookalike.store import Embeddings, LabelStore, Store

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["auto_threshold", "show_auto_threshold"]

MAX_SIDE = 1024  # copies are made at about this size, as a scan's derivative would be


def auto_threshold(
    store: Store,
    emb: Embeddings,
    scoring: str,
    sample: int,
    seed: int,
    embed_views: bool,
    progress: bool | None = None,
) -> analysis.ThresholdEstimate:
    """The threshold estimated from the images of ``store`` that have vectors ``emb``
    (and its labels)."""
    if not has_backbone(store.catalog, emb.model):
        raise ValueError(
            f"The {emb.model} vectors were imported: there is no model to embed synthetic "
            "copies with, so no automatic threshold; give a threshold or calibrate on labels."
        )
    try:
        backbone = collection_backbone(store.catalog, emb.model)
    except ModelUnavailable as err:
        raise ValueError(f"No automatic threshold: the model cannot run here: {err}") from None
    used, vectors = scored_vectors(store, emb, scoring, embed_views=embed_views)
    rng = np.random.default_rng(seed)
    positions = emb.positions()
    rows = [
        r
        for r in store.catalog.images(status="ok")
        if r.id in positions and not r.metadata.get("missing_file")
    ]
    owners, whole, centre = [], [], []
    size = backbone.input_size
    for k in rng.permutation(len(rows)):
        if len(set(owners)) >= sample:
            break
        try:
            image = imaging.decode(rows[k].uri, min_side=MAX_SIDE // 2).image
        except (ImageDecodeError, OSError):
            continue  # a file gone or changed: the next image stands in
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        for copy in synthetic_copies(image, rng).values():
            owners.append(positions[rows[k].id])
            whole.append(imaging.to_model_input(copy, size))
            if used == "centre":
                centre.append(imaging.centre_input(copy, size))
    if not owners:
        raise ValueError("No automatic threshold: none of the collection's image files reads.")
    with progress_bar(progress, f"embedding synthetic copies ({backbone.name})") as on_progress:
        w, c = [], []
        for s in range(0, len(whole), 32):
            # Compared with the stored vectors: projected as they are (reduced, maybe).
            w.append(store.project(emb.model, backbone.embed(np.stack(whole[s : s + 32]))))
            if centre:
                c.append(store.project(emb.model, backbone.embed(np.stack(centre[s : s + 32]))))
            if on_progress is not None:
                on_progress(min(s + 32, len(whole)), len(whole))
    copies = np.asarray(
        analysis.scored_vectors(
            np.concatenate(w), used, np.concatenate(c) if c else None, root=rooted(store, emb)
        ),
        dtype=np.float32,
    )
    originals = np.asarray(vectors[np.array(owners)], dtype=np.float32)
    copy_scores = np.einsum("ij,ij->i", originals, copies)
    index = search.choose_index(vectors, task="neighbors")  # over the scored vectors
    neighbours = analysis.neighbour_scores(index, vectors, seed=seed)
    same, different = _labelled_scores(store, emb, vectors)
    return analysis.auto_threshold(
        copy_scores,
        neighbours,
        same_scores=same,
        different_scores=different,
        scoring=used,
    )


def _labelled_scores(store: Store, emb: Embeddings, vectors) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the collection's pairs labelled same, and of those labelled different
    (pairs whose images have no vector for this model are left out)."""
    positions = emb.positions()
    pairs = [p for p in LabelStore(store.catalog).all() if p.a in positions and p.b in positions]
    if not pairs:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    i, j = vector_rows(store, emb, [k for p in pairs for k in (p.a, p.b)])
    scores = analysis.pair_scores(vectors, i, j)
    same = np.array([p.same for p in pairs])
    return scores[same], scores[~same]


def show_auto_threshold(estimate: analysis.ThresholdEstimate) -> Figure:
    """Both distributions and the threshold chosen between them."""
    from lookalike.figures.thresholds import threshold_distributions

    return threshold_distributions(estimate)
