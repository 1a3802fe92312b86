"""What a collection holds: counts, models and failed images, read from its catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lookalike.models.views import is_view
from lookalike.store.catalog import Catalog

__all__ = ["CollectionInfo", "collection_info"]


@dataclass(frozen=True)
class CollectionInfo:
    """Counts, models and failed images of a collection; prints as a report."""

    path: str
    n_images: int
    n_ok: int
    n_failed: int
    models: dict[str, dict[str, int]]
    failed: list[tuple[str, str, str]] = field(repr=False)
    runs: list[dict[str, Any]] = field(repr=False)

    def __str__(self) -> str:
        lines = [
            f"Collection {self.path}",
            f"  images: {self.n_images} ({self.n_ok} indexed, {self.n_failed} failed)",
        ]
        for name, m in self.models.items():
            lines.append(f"  model {name}: dim {m['dim']}, {m['vectors']} images with vectors")
        if not self.models:
            lines.append("  no vectors yet: run `lookalike index SOURCE --collection PATH`")
        if self.runs:
            last = self.runs[-1]
            lines.append(f"  last run: {last['source']} ({last['status']})")
        if self.failed:
            lines.append("  failed images:")
            lines += [f"    {uri}: {reason}" for _, uri, reason in self.failed]
        return "\n".join(lines)


def collection_info(catalog: Catalog, path: Path) -> CollectionInfo:
    """The :class:`CollectionInfo` of the collection at ``path`` with this catalog."""
    counts = catalog.counts()
    # Views (``<model>-centre``) are stored like models but are parts of one: not listed.
    model_info = {
        name: {"dim": dim, "vectors": len(catalog.embedding_rows(name))}
        for name, dim in catalog.models()
        if not is_view(name)
    }
    failed = [(r.id, r.uri, r.error or "") for r in catalog.images(status="error")]
    return CollectionInfo(
        path=str(path),
        n_images=counts["ok"] + counts["error"],
        n_ok=counts["ok"],
        n_failed=counts["error"],
        models=model_info,
        failed=failed,
        runs=catalog.runs(),
    )
