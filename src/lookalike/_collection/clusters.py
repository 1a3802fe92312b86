"""Clusters and maps of a collection, computed once per model and saved with it (see
:class:`lookalike.store.SavedResults`), and their figures."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from lookalike import analysis
from lookalike._collection.names import names
from lookalike.errors import ImageNotFound
from lookalike.store import Embeddings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lookalike.collection import Collection

__all__ = [
    "clusters",
    "map",
    "scan_k",
    "show_elbow",
    "show_map",
    "show_neighborhood",
    "show_representatives",
    "vector_row",
]


def clusters(
    col: Collection, emb: Embeddings, k: int, random_state: int | None
) -> analysis.Clusters:
    """k-medoids clusters of the vectors ``emb`` (see :func:`lookalike.analysis.k_medoids`)."""
    saved = col._saved.arrays(
        emb,
        f"clusters-k{k}-seed{random_state}",
        lambda: analysis.k_medoids(emb.vectors, k, random_state=random_state).to_arrays(),
        f"clustering {len(emb.ids)} images into {k} clusters (k-medoids)",
    )
    return analysis.Clusters.from_arrays(saved, random_state=random_state, ids=emb.ids)


def scan_k(
    col: Collection, ks: Sequence[int], model: str | None, random_state: int | None
) -> analysis.KScan:
    """k-medoids for every k in ``ks`` (see :func:`lookalike.analysis.scan_k`)."""
    emb = col.embeddings(model)
    tag = hashlib.blake2b(repr(sorted(set(ks))).encode(), digest_size=5).hexdigest()
    saved = col._saved.arrays(
        emb,
        f"scan-{tag}-seed{random_state}",
        lambda: analysis.scan_k(emb.vectors, ks, random_state=random_state).to_arrays(),
        f"k-medoids of {len(emb.ids)} images for {len(set(ks))} values of k",
    )
    return analysis.KScan.from_arrays(saved)


def show_elbow(
    col: Collection, ks: Sequence[int], model: str | None, random_state: int | None
) -> Figure:
    """The curves of :func:`scan_k` (see :func:`lookalike.figures.elbow_figure`)."""
    from lookalike.figures import elbow_figure

    scan = col.scan_k(ks, model=model, random_state=random_state)
    return elbow_figure(scan, title=f"Choosing k for {col.root.name} ({col._model(model)})")


def show_representatives(
    col: Collection, k: int, model: str | None, random_state: int | None, ncols: int | None
) -> Figure:
    """The medoids of the ``k`` clusters in a grid (at most 5 a row by default),
    largest cluster first, each named with its cluster's size."""
    from lookalike.figures import image_grid

    found = col.clusters(k, model=model, random_state=random_state)
    order = np.argsort(-found.sizes, kind="stable")
    ids = [found.medoid_ids[c] for c in order]
    captions = [
        f"{name}\ncluster {c}: {found.sizes[c]} images"
        for c, name in zip(order, names(col._store, ids), strict=True)
    ]
    if ncols is None:  # rows as even as can be, at most 5 images a row
        rows = -(-k // 5)
        ncols = -(-k // rows)
    return image_grid(
        [col.thumbnail(i) for i in ids],
        captions,
        ncols=ncols,
        title=f"{k} representatives (medoids) of {col.root.name}, largest cluster first",
    )


def show_neighborhood(
    col: Collection, image: str, k: int, n: int, model: str | None, random_state: int | None
) -> Figure:
    """``image`` framed, then the ``n - 1`` members of its cluster most similar to it."""
    from lookalike.figures import image_grid

    found = col.clusters(k, model=model, random_state=random_state)
    emb = col.embeddings(model)
    row = vector_row(col, emb, image)
    rows, scores = analysis.cluster_neighborhood(emb.vectors, found, row, n)
    c = int(found.labels[row])
    labels = names(col._store, [emb.ids[r] for r in rows])
    captions = [f"{name}\n{s:.3f}" for name, s in zip(labels, scores, strict=True)]
    title = f"Cluster {c} ({found.sizes[c]} images) around {labels[0]}"
    pictures = [col.thumbnail(emb.ids[r]) for r in rows]
    return image_grid(pictures, captions, ncols=5, highlight=[0], title=title)


def map(  # named after Collection.map: shadows the builtin in this module only
    col: Collection, method: str, model: str | None, random_state: int | None
) -> analysis.Projection:
    """2-D coordinates of every image (see :func:`lookalike.analysis.project`)."""
    emb = col.embeddings(model)
    saved = col._saved.arrays(
        emb,
        f"map-{method}-seed{random_state}",
        lambda: {"coords": analysis.project(emb.vectors, method=method, random_state=random_state)},
        f"computing the {method.upper()} map of {len(emb.ids)} images"
        + (" (UMAP compiles its code first: about 30 s)" if method == "umap" else ""),
    )
    return analysis.Projection(saved["coords"], method, emb.model, emb.ids)


def show_map(
    col: Collection,
    method: str,
    model: str | None,
    atlas: bool,
    clusters: int | None,
    highlight: str | None,
    neighbors: int,
    cells: int | None,
    spread: bool,
    random_state: int | None,
) -> Figure:
    """The map (see :func:`lookalike.figures.map_figure`), coloured by ``clusters`` if
    given, ``highlight`` and its ``neighbors`` nearest images marked."""
    from lookalike.figures import map_figure

    proj = col.map(method, model=model, random_state=random_state)
    emb = col.embeddings(model)
    labels = None if clusters is None else col.clusters(clusters, model=model).labels
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
        title=f"{col.root.name}: {method.upper()} of {len(proj)} images ({emb.model})",
    )


def vector_row(col: Collection, emb: Embeddings, image: str) -> int:
    """The vector row of ``image`` (an id or path)."""
    row = emb.positions().get(col.image(image).id)
    if row is None:
        raise ImageNotFound(f"Image {image!r} has no vector for model {emb.model}.")
    return row
