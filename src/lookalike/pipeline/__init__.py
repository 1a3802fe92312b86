"""The pipeline: what brings images into a collection, one layer above the store.

Indexing is reader (records -> decoded model inputs) -> embedder (inputs -> vectors)
-> writer (vectors -> the store, under its crash-safety rules); a local runner
(threads) and a Ray runner (:mod:`lookalike.pipeline.ray`, imported on use) compose the
same three parts. Also here: the centre views a duplicate score embeds on demand, the
backbone a collection's model is built from again, vectors imported from elsewhere, and
the repair that embeds lost vectors again.
"""

from lookalike.pipeline.local import index_records
from lookalike.pipeline.repair import repair_store
from lookalike.pipeline.report import IndexReport
from lookalike.pipeline.specs import collection_backbone, has_backbone
from lookalike.pipeline.views import AlignedRows, CentreVectors, centre_vectors

__all__ = [
    "AlignedRows",
    "CentreVectors",
    "IndexReport",
    "centre_vectors",
    "collection_backbone",
    "has_backbone",
    "index_records",
    "repair_store",
]
