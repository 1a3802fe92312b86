"""The one policy that chooses an index for a collection's vectors, by size and task.

Every index the layers above search through comes from :func:`choose_index`:
``Collection`` builds it and hands it to ``analysis``, which never builds one.
"""

from __future__ import annotations

import numpy as np

from lookalike._mmap import release_pages
from lookalike._validation import check_choice, check_int
from lookalike.search._auto import FaissIVFIndex, ivf_settings
from lookalike.search._base import KnnIndex
from lookalike.search._faiss import FaissIndex
from lookalike.search._flat import FlatIndex

__all__ = ["EXACT_MAX", "GRAPH_EXACT_MAX", "TASKS", "choose_index"]

TASKS = ("neighbors", "graph", "pairs")
EXACT_MAX = 120_000  # pairs: exact up to this many vectors, compressed IVF above
GRAPH_EXACT_MAX = 49_999  # kNN graph: exact FAISS up to this many vectors, HNSW-SQ above
_EXACT_MAX = {"neighbors": None, "graph": GRAPH_EXACT_MAX, "pairs": EXACT_MAX}


def choose_index(
    vectors: np.ndarray,
    *,
    task: str = "neighbors",
    exact: bool | None = None,
    exact_max: int | None = None,
    **options,
) -> KnnIndex:
    """The index over ``vectors`` (row ``i`` is id ``i``, cosine metric) for ``task``.

    ========== ===================================== =====================================
    task       exact, up to the task's size           approximate, above it
    ========== ===================================== =====================================
    neighbors  ``FlatIndex`` (NumPy, blockwise, the   none: always exact
               memory map read in place), any size
    graph      ``FaissIndex("flat")`` up to           ``FaissIndex("hnsw-sq")``: HNSW over
               ``GRAPH_EXACT_MAX`` = 49 999 vectors   8-bit vectors, M 16, efSearch and
                                                      efConstruction 48 (a quarter of the
                                                      memory; ``analysis`` re-scores hits
                                                      exactly)
    pairs      ``FlatIndex`` up to ``EXACT_MAX`` =    ``FaissIVFIndex``: PCA + IVF + SQ8
               120 000 vectors (the self-join then    with :func:`ivf_settings` (candidates
               runs exactly, ``search.pairs_above``)  re-scored exactly by the caller)
    ========== ===================================== =====================================

    "neighbors" answers one query at a time (``Collection.neighbors``, cluster
    labels): the exact scan is fast enough at any size. "graph" searches every row
    once for the whole-collection kNN graph. "pairs" finds near-duplicate pairs above
    a threshold.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
        Unit rows; a memory map or a lazy view is read block by block.
    task : {"neighbors", "graph", "pairs"}, default="neighbors"
    exact : bool, optional
        Force the exact (``True``) or the approximate (``False``) kind; default: by size.
    exact_max : int, optional
        Largest size searched exactly, instead of the task's (tests pass a tiny one).
    **options
        Passed to the approximate index, over the policy's settings (for "pairs":
        ``pca``, ``nlist``, ``nprobe``; for "graph": ``hnsw_m``, ``ef_search``).

    Raises
    ------
    ValueError
        An unknown task, or the approximate kind asked of "neighbors", which has none.

    Examples
    --------
    >>> x = np.eye(3, dtype=np.float32)
    >>> choose_index(x)
    FlatIndex(dim=3, ntotal=3, metric='cosine')
    >>> choose_index(x, task="graph", exact_max=2).kind  # 3 vectors: above 2
    'hnsw-sq'
    """
    task = check_choice(task, "task", "choose_index", TASKS)
    n = len(vectors)
    if exact is None:
        limit = _EXACT_MAX[task]
        if exact_max is not None:
            limit = check_int(exact_max, "exact_max", "choose_index", low=0)
        exact = limit is None or n <= limit
    if task == "neighbors":
        if not exact:
            raise ValueError("Task 'neighbors' has no approximate index: it is always exact.")
        return FlatIndex.from_vectors(vectors)
    if task == "graph":
        return _graph_index(vectors, exact, options)
    if exact:
        return FlatIndex.from_vectors(vectors)
    index = FaissIVFIndex(vectors.shape[1], **{**ivf_settings(n), **options})
    index.train(vectors)
    _add_in_blocks(index, vectors)
    return index


def _graph_index(vectors: np.ndarray, exact: bool, options: dict) -> FaissIndex:
    """FAISS flat, or HNSW over 8-bit vectors (1.3 GB instead of 5.1 GB at 1M x 1280)."""
    dim = vectors.shape[1]
    if exact:
        index = FaissIndex(dim, kind="flat")
    else:
        index = FaissIndex(dim, **{"kind": "hnsw-sq", "hnsw_m": 16, "ef_search": 48, **options})
        index.faiss_index.hnsw.efConstruction = 48
    _add_in_blocks(index, vectors)
    return index


def _add_in_blocks(index: KnnIndex, vectors: np.ndarray, block: int = 65536) -> None:
    """Add ``vectors`` (maybe a lazy view or a memory map) a block at a time, releasing
    the map's pages after each."""
    for s in range(0, len(vectors), block):
        index.add(np.asarray(vectors[s : s + block], dtype=np.float32))
        release_pages(vectors)
