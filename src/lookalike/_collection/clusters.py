"""Clusters of a collection (``Collection.clusters``, ``scan_k``), computed once per
model and saved with it (see :class:`lookalike.store.SavedResults`), and their
figures."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from lookalike import analysis
from lookalike._collection.names import names
from lookalike._collection.rows import vector_row
from lookalike.store import Embeddings, SavedResults, Store
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["clusters", "scan_k", "show_elbow", "show_neighborhood", "show_representatives"]


def clusters(
    saved: SavedResults, emb: Embeddings, k: int, random_state: int | None
) -> analysis.Clusters:
    """k-medoids clusters of the vectors ``emb`` (see :func:`lookalike.analysis.k_medoids`)."""
    arrays = saved.arrays(
        emb,
        f"clusters-k{k}-seed{random_state}",
        lambda: analysis.k_medoids(emb.vectors, k, random_state=random_state).to_arrays(),
        f"clustering {len(emb.ids)} images into {k} clusters (k-medoids)",
    )
    return analysis.Clusters.from_arrays(arrays, random_state=random_state, ids=emb.ids)


def scan_k(
    saved: SavedResults, emb: Embeddings, ks: Sequence[int], random_state: int | None
) -> analysis.KScan:
    """k-medoids for every k in ``ks`` (see :func:`lookalike.analysis.scan_k`)."""
    tag = hashlib.blake2b(repr(sorted(set(ks))).encode(), digest_size=5).hexdigest()
    arrays = saved.arrays(
        emb,
        f"scan-{tag}-seed{random_state}",
        lambda: analysis.scan_k(emb.vectors, ks, random_state=random_state).to_arrays(),
        f"k-medoids of {len(emb.ids)} images for {len(set(ks))} values of k",
    )
    return analysis.KScan.from_arrays(arrays)


def show_elbow(scan: analysis.KScan, name: str, model: str) -> Figure:
    """The curves of ``scan`` (see :func:`lookalike.figures.elbow_figure`) of the
    collection ``name``'s ``model`` vectors."""
    from lookalike.figures import elbow_figure

    return elbow_figure(scan, title=f"Choosing k for {name} ({model})")


def show_representatives(
    store: Store,
    thumbnail: Callable[[str], Image.Image],
    found: analysis.Clusters,
    name: str,
    ncols: int | None,
) -> Figure:
    """The medoids of the clusters ``found`` in a grid (at most 5 a row by default),
    largest cluster first, each named with its cluster's size."""
    from lookalike.figures import image_grid

    k = len(found.sizes)
    order = np.argsort(-found.sizes, kind="stable")
    ids = [found.medoid_ids[c] for c in order]
    captions = [
        f"{label}\ncluster {c}: {found.sizes[c]} images"
        for c, label in zip(order, names(store, ids), strict=True)
    ]
    if ncols is None:  # rows as even as can be, at most 5 images a row
        rows = -(-k // 5)
        ncols = -(-k // rows)
    return image_grid(
        [thumbnail(i) for i in ids],
        captions,
        ncols=ncols,
        title=f"{k} representatives (medoids) of {name}, largest cluster first",
    )


def show_neighborhood(
    store: Store,
    thumbnail: Callable[[str], Image.Image],
    found: analysis.Clusters,
    emb: Embeddings,
    image: str,
    n: int,
) -> Figure:
    """``image`` framed, then the ``n - 1`` members of its cluster in ``found`` (of the
    vectors ``emb``) most similar to it."""
    from lookalike.figures import image_grid

    row = vector_row(emb, find_image(store, image))
    rows, scores = analysis.cluster_neighborhood(emb.vectors, found, row, n)
    c = int(found.labels[row])
    labels = names(store, [emb.ids[r] for r in rows])
    captions = [f"{label}\n{s:.3f}" for label, s in zip(labels, scores, strict=True)]
    title = f"Cluster {c} ({found.sizes[c]} images) around {labels[0]}"
    pictures = [thumbnail(emb.ids[r]) for r in rows]
    return image_grid(pictures, captions, ncols=5, highlight=[0], title=title)

