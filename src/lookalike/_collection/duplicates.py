"""Near-duplicates of a collection: duplicate scores over its stored vectors (and their
centre views, embedded where missing), exact duplicates from the catalog, dedup plans,
calibration on labelled pairs, and the figures to look at pairs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from lookalike import analysis, search
from lookalike._collection.names import names
from lookalike._collection.rows import vector_rows
from lookalike._progress import status
from lookalike.pipeline.geometry import pair_geometry
from lookalike.pipeline.views import centre_vectors
from lookalike.store import Embeddings, LabelStore, Store, move_images, read_labels_csv
from lookalike.store.catalog import ImageRow, copy_kind
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from PIL import Image

    from lookalike.collection import PathLike

__all__ = [
    "calibrate",
    "dedup",
    "duplicates",
    "exact_duplicates",
    "exact_groups",
    "pair_score",
    "rooted",
    "score_inputs",
    "scored_vectors",
    "show_pair",
    "show_threshold_bands",
    "with_sets_and_copies",
]


def duplicates(
    store: Store,
    emb: Embeddings,
    threshold: float,
    strict: bool,
    exact: bool | None,
    scoring: str,
    embed_views: bool,
    verify: bool = False,
) -> analysis.Duplicates:
    """Near-duplicate pairs and sets of the vectors ``emb`` of ``store`` (see
    :func:`lookalike.analysis.near_duplicates`), searched through the "pairs" index
    over the scored vectors (``exact`` forces its kind); ``verify`` adds the geometric
    check of the candidate pairs, on the images read again."""
    scoring, centre, notes = score_inputs(store, emb, scoring, embed_views=embed_views)
    vectors = analysis.scored_vectors(emb.vectors, scoring, centre, root=rooted(store, emb))
    uris = store.catalog.uris_of(emb.ids)
    rows = {r.id: r for r in store.catalog.images(status="ok")}  # read once, for both
    with status(f"searching {len(emb.ids)} images for pairs scoring {threshold:g} or more"):
        index = search.choose_index(vectors, task="pairs", exact=exact)
        found = analysis.near_duplicates(
            index,
            vectors,
            emb.ids,
            threshold=threshold,
            strict=strict,
            uris=uris,
            model=emb.model,
            scoring=scoring,
            notes=notes,
            check=pair_geometry(store, emb.ids, rows) if verify else None,
        )
    return with_sets_and_copies(found, rows)


def with_sets_and_copies(
    found: analysis.Duplicates, rows: Mapping[str, ImageRow]
) -> analysis.Duplicates:
    """``found`` with its pairs' scores clipped to [-1, 1] (float32 gives 1.0000001 for
    a copy), the duplicate ``set`` each pair lies in (1-based, as in ``groups``; empty
    when ``strict`` split the pair apart) and ``copy``: "file" for identical files,
    "pixels" for identical decoded pixels, "" for true near-duplicates (``rows``: the
    catalog's ok rows by id)."""
    pairs = found.pairs.copy()
    pairs["score"] = pairs["score"].clip(-1.0, 1.0)
    group_of = {i: g for g, ids in enumerate(found.groups, 1) for i in ids}
    ga, gb = pairs["a"].map(group_of), pairs["b"].map(group_of)
    pairs.insert(0, "set", ga.where(ga == gb).astype("Int64"))
    pairs["copy"] = [
        copy_kind(rows.get(a), rows.get(b)) for a, b in zip(pairs["a"], pairs["b"], strict=True)
    ]
    return replace(found, pairs=pairs)


def exact_duplicates(store: Store) -> pd.DataFrame:
    """Sets of identical files and of identical decoded pixels, from the catalog's
    hashes: columns group, kind ("file"/"pixels"), id, uri."""
    import pandas as pd

    rows = store.catalog.images(status="ok")
    sets = analysis.exact_duplicate_sets(
        [r.content_hash for r in rows], [r.pixel_hash for r in rows]
    )
    table = [(g, kind, rows[m].id, rows[m].uri) for g, (ms, kind) in enumerate(sets, 1) for m in ms]
    return pd.DataFrame(table, columns=["group", "kind", "id", "uri"])


def exact_groups(store: Store) -> list[list[str]]:
    """The ids of every set of :func:`exact_duplicates`."""
    return [list(ids) for _, ids in exact_duplicates(store).groupby("group")["id"]]


def dedup(
    store: Store,
    groups: list[list[str]],
    keep: str,
    wanted: list[str],
    move_removed_to: PathLike | None,
) -> analysis.DedupPlan:
    """The image kept in each set of duplicates ``groups`` (see
    :func:`lookalike.analysis.plan_dedup`; ``wanted`` the ids to keep); the removed
    files moved to ``move_removed_to`` if given (see :func:`lookalike.store.move_images`)."""
    images = [r.__dict__ for r in store.catalog.images(status="ok")]
    plan = analysis.plan_dedup(groups, images, keep=keep, keep_ids=wanted)
    if move_removed_to is not None:
        removed = [find_image(store, i) for i in plan.removed]
        plan = replace(plan, moved=move_images(store, removed, move_removed_to))
    return plan


def pair_score(store: Store, emb: Embeddings, a: str, b: str, scoring: str) -> float:
    """The ``scoring`` duplicate score of the images ``a`` and ``b``."""
    return _pair_score(store, emb, a, b, scoring)[1]


def show_pair(
    store: Store,
    thumbnail: Callable[[str], Image.Image],
    emb: Embeddings,
    a: str,
    b: str,
    scoring: str,
) -> Figure:
    """The images ``a`` and ``b`` side by side, with ids, file names and their score."""
    from lookalike.figures import pair_figure

    ra, rb = find_image(store, a), find_image(store, b)
    used, score = _pair_score(store, emb, ra.id, rb.id, scoring)
    return pair_figure(
        thumbnail(ra.id),
        thumbnail(rb.id),
        captions=tuple(names(store, [ra.id, rb.id], width=34)),
        title=f"{used} score {score:.3f}",  # the scoring used: imported vectors have no centre
    )


def _pair_score(store: Store, emb: Embeddings, a: str, b: str, scoring: str) -> tuple[str, float]:
    """(the scoring used, the score) of the images ``a`` and ``b``; only their centre
    views are embedded if missing."""
    i, j = vector_rows(store, emb, [a, b])
    used, vectors = scored_vectors(store, emb, scoring, ids=emb.ids[[i[0], j[0]]])
    return used, float(analysis.pair_scores(vectors, i, j)[0])


def show_threshold_bands(
    store: Store,
    thumbnail: Callable[[str, int], Image.Image],
    emb: Embeddings,
    bands: list[float],
    per_band: int,
    scoring: str,
    seed: int,
) -> Figure:
    """A contact sheet of ``per_band`` pairs sampled in each band of ``scoring`` scores."""
    from lookalike.figures.duplicates import band_rows, threshold_bands

    used, vectors = scored_vectors(store, emb, scoring)
    with status(f"sampling pairs of {len(emb)} images per band of {used} score"):
        index = search.choose_index(vectors, task="neighbors")  # exact, any size
        sampled = analysis.sample_band_pairs(index, vectors, bands, per_band=per_band, seed=seed)
    return threshold_bands(
        band_rows(sampled, emb.ids, lambda image: thumbnail(image, 160)),
        per_row=per_band,
        title=f"Pairs per band of {used} score ({emb.model}, {len(emb)} images)",
    )


def calibrate(
    store: Store,
    emb: Embeddings,
    labels: PathLike | None,
    target_precision: float | None,
    scoring: str,
    embed_views: bool,
) -> analysis.Calibration:
    """The threshold chosen on the scores of the pairs labelled in the CSV ``labels`` or
    in ``store`` (see :func:`lookalike.analysis.calibrate`); only their images need
    centre views."""
    pairs = read_labels_csv(labels) if labels is not None else LabelStore(store.catalog).all()
    if not pairs:
        raise ValueError("No labelled pairs: give a CSV (a,b,label) or label pairs first.")
    i, j = vector_rows(store, emb, [k for p in pairs for k in (p.a, p.b)])
    labelled = emb.ids[np.concatenate([i, j])]
    _, vectors = scored_vectors(store, emb, scoring, embed_views=embed_views, ids=labelled)
    scores = analysis.pair_scores(vectors, i, j)
    same = np.array([p.same for p in pairs])
    return analysis.calibrate(scores, same, target_precision=target_precision)


def score_inputs(
    store: Store, emb: Embeddings, scoring: str, *, embed_views: bool = True, ids=None
) -> tuple[str, Any, list[str]]:
    """(the scoring used, the centre-view vectors it needs, notes): centre views are
    embedded where missing (see :func:`lookalike.pipeline.views.centre_vectors`);
    imported vectors, which have none, fall back to root scores."""
    reduced = _reduced_note(store, emb)
    if scoring != "centre":
        return scoring, None, reduced
    views = centre_vectors(store, emb, embed=embed_views, ids=ids)
    return ("root" if views.vectors is None else "centre"), views.vectors, views.notes + reduced


def _reduced_note(store: Store, emb: Embeddings) -> list[str]:
    """A note when ``emb`` was reduced by PCA: its duplicate scores are not on the full
    vectors' scale (docs/reduced.md measures by how much)."""
    encoding = store.encoding(emb.model)
    if encoding.projection is None:
        return []
    return [
        f"The {emb.model} vectors are kept reduced by PCA to {encoding.dims} dims: scores "
        "are plain cosines of them, which approximate the full vectors' (docs/reduced.md)."
    ]


def scored_vectors(store: Store, emb: Embeddings, scoring: str, **kwargs: Any):
    """(the scoring used, ``emb``'s vectors as it sees them): see :func:`score_inputs`."""
    used, centre, _ = score_inputs(store, emb, scoring, **kwargs)
    return used, analysis.scored_vectors(emb.vectors, used, centre, root=rooted(store, emb))


def rooted(store: Store, emb: Embeddings) -> bool:
    """Whether duplicate scores power-normalise ``emb``'s vectors: not once they are
    reduced by PCA (signed, centred coordinates; plain cosines of them approximate the
    full vectors' scores far better, docs/reduced.md)."""
    return store.encoding(emb.model).projection is None
