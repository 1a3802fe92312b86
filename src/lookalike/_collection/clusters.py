"""Clusters and maps of a collection, computed once per model and saved with it (see
:class:`lookalike.store.SavedResults`), and their figures."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from lookalike import analysis
from lookalike.errors import ImageNotFound
from lookalike.store import Embeddings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lookalike.collection import Collection

__all__ = [
    "clusters",
    "projection",
    "scan_k",
    "show_map",
    "show_neighborhood",
    "show_representatives",
    "vector_row",
]


def clusters(
    col: Collection, emb: Embeddings, k: int, random_state: int | None
) -> analysis.Clusters:
    """k-medoids clusters of ``emb``'s vectors (see :func:`lookalike.analysis.k_medoids`)."""
    saved = col._saved.arrays(
        emb,
        f"clusters-k{k}-seed{random_state}",
        lambda: analysis.k_medoids(emb.vectors, k, random_state=random_state).to_arrays(),
    )
    return analysis.Clusters.from_arrays(saved, random_state=random_state, ids=emb.ids)


def scan_k(
    col: Collection, emb: Embeddings, ks: Sequence[int], random_state: int | None
) -> analysis.KScan:
    """k-medoids for every k in ``ks`` (see :func:`lookalike.analysis.scan_k`)."""
    tag = hashlib.blake2b(repr(sorted(set(ks))).encode(), digest_size=5).hexdigest()
    saved = col._saved.arrays(
        emb,
        f"scan-{tag}-seed{random_state}",
        lambda: analysis.scan_k(emb.vectors, ks, random_state=random_state).to_arrays(),
    )
    return analysis.KScan.from_arrays(saved)


def projection(
    col: Collection, emb: Embeddings, method: str, random_state: int | None
) -> analysis.Projection:
    """2-D coordinates of ``emb``'s vectors (see :func:`lookalike.analysis.project`)."""
    saved = col._saved.arrays(
        emb,
        f"map-{method}-seed{random_state}",
        lambda: {"coords": analysis.project(emb.vectors, method=method, random_state=random_state)},
    )
    return analysis.Projection(saved["coords"], method, emb.model, emb.ids)


def show_representatives(
    col: Collection, found: analysis.Clusters, k: int, ncols: int | None
) -> Figure:
    """The medoids of ``found`` in a row, largest cluster first, with their sizes."""
    from lookalike.figures import image_grid

    order = np.argsort(-found.sizes, kind="stable")
    ids = [found.medoid_ids[c] for c in order]
    captions = [f"cluster {c}: {found.sizes[c]} images\n{found.medoid_ids[c]}" for c in order]
    return image_grid(
        [col.thumbnail(i) for i in ids],
        captions,
        ncols=ncols or min(k, 10),
        title=f"{k} representatives (medoids) of {col.root.name}",
    )


def show_neighborhood(
    col: Collection, emb: Embeddings, found: analysis.Clusters, image: str, n: int
) -> Figure:
    """``image`` framed, then the ``n - 1`` members of its cluster most similar to it."""
    from lookalike.figures import image_grid

    row = vector_row(col, emb, image)
    rows, scores = analysis.cluster_neighborhood(emb.vectors, found, row, n)
    c = int(found.labels[row])
    captions = [f"{emb.ids[r]}  {s:.3f}" for r, s in zip(rows, scores, strict=True)]
    title = f"Cluster {c} ({found.sizes[c]} images) around {emb.ids[row]}"
    pictures = [col.thumbnail(emb.ids[r]) for r in rows]
    return image_grid(pictures, captions, ncols=5, highlight=[0], title=title)


def show_map(
    col: Collection,
    emb: Embeddings,
    proj: analysis.Projection,
    *,
    labels: np.ndarray | None,
    highlight: str | None,
    neighbors: int,
    atlas: bool,
    cells: int | None,
    spread: bool,
) -> Figure:
    """The map ``proj`` (see :func:`lookalike.figures.map_figure`), ``highlight`` and its
    ``neighbors`` nearest images marked."""
    from lookalike.figures import map_figure

    hl = None if highlight is None else vector_row(col, emb, highlight)
    near = []
    if hl is not None and neighbors:
        near = analysis.top_k(col.knn_index(emb.model), emb.vectors[hl], neighbors, exclude=hl)[1]
    return map_figure(
        proj,
        lambda image: col.thumbnail(image, size=128),
        atlas=atlas,
        cells=cells,
        spread=spread,
        labels=labels,
        highlight=hl,
        neighbors=[int(r) for r in near],
        title=f"{col.root.name}: {proj.method.upper()} of {len(proj)} images ({emb.model})",
    )


def vector_row(col: Collection, emb: Embeddings, image: str) -> int:
    """The vector row of ``image`` (an id or path)."""
    row = emb.positions().get(col.image(image).id)
    if row is None:
        raise ImageNotFound(f"Image {image!r} has no vector for model {emb.model}.")
    return row
