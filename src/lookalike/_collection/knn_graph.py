"""The kNN graph of a whole collection (``Collection.knn_graph``), built through the
"graph" index, kept in memory and saved under ``index/<model>/`` until the vectors
change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lookalike import analysis, search
from lookalike.store import Embeddings, SavedResults

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["knn_graph"]


def knn_graph(
    saved: SavedResults, root: Path, emb: Embeddings, k: int, mutual: bool
) -> analysis.KnnGraph:
    """The kNN graph of the vectors ``emb``: kept in memory, saved under
    ``<root>/index/<model>/``, built again when the vectors change."""
    from lookalike.store.graph_files import knn_graph_file

    path = knn_graph_file(root, emb.model, k, mutual)

    def build() -> analysis.KnnGraph:  # only when no saved graph fits the vectors
        index = search.choose_index(emb.vectors, task="graph")
        return analysis.knn_graph(
            emb.vectors, emb.ids, k=k, mutual=mutual, model=emb.model, index=index
        )

    label = f"building the {k}-nearest-neighbour graph of {len(emb.ids)} images"
    return saved.held(emb, path, build, analysis.KnnGraph.from_arrays, label)
