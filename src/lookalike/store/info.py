"""What a collection holds: counts, models, failed images and what folder walks left
out, read from its catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lookalike._uris import display
from lookalike.store.catalog import Catalog
from lookalike.store.encoding import Encoding

__all__ = ["CollectionInfo", "catalog_version", "collection_info"]


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
    #: (uri, reason) of what folder walks left out: files that are not an image type
    #: lookalike reads, folders that cannot be listed.
    skipped: list[tuple[str, str]] = field(default_factory=list, repr=False)
    #: model -> (id, uri, reason) of the images whose vector the catalog names but the
    #: disk lost; re-running ``index`` on their files embeds them again.
    damaged: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        lines = [
            f"Collection {display(self.path)}",
            f"  images: {self.n_images} ({self.n_ok} indexed, {self.n_failed} failed)",
        ]
        for name, m in self.models.items():
            lines.append(f"  model {name}: dim {m['dim']}, {m['vectors']} images with vectors")
            lines.append(f"    kept as {m['encoding']}: {m['bytes_per_image']} bytes per image")
            lost = self.damaged.get(name, [])
            if lost:
                lines.append(
                    f"    {len(lost)} images lost their vectors (run `lookalike index` on "
                    f"their files again, or `lookalike check {self.path} --repair`):"
                )
                lines += [f"      {i} {display(uri)}: {why}" for i, uri, why in lost[:20]]
                if len(lost) > 20:
                    lines.append(f"      ... and {len(lost) - 20} more")
        if not self.models:
            lines.append("  no vectors yet: run `lookalike index SOURCE --collection PATH`")
        if self.runs:
            last = self.runs[-1]
            lines.append(f"  last run: {last['source']} ({last['status']})")
        if self.failed:
            lines.append("  failed images:")
            lines += [f"    {display(uri)}: {reason}" for _, uri, reason in self.failed]
        if self.skipped:
            lines.append(f"  left out of folder walks and Parquet lists ({len(self.skipped)}):")
            shown = self.skipped[:MAX_SKIPPED_SHOWN]
            lines += [f"    {display(uri)}: {reason}" for uri, reason in shown]
            if len(self.skipped) > len(shown):
                lines.append(
                    f"    ... and {len(self.skipped) - len(shown)} more"
                    " (Collection.info().skipped lists them all)"
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (for JSON): path, counts, models, failed, skipped,
        damaged (one record per lost vector) and runs."""
        return {
            "path": self.path,
            "counts": {
                "images": self.n_images,
                "indexed": self.n_ok,
                "failed": self.n_failed,
                "skipped": len(self.skipped),
                "damaged": sum(len(lost) for lost in self.damaged.values()),
            },
            "models": {name: dict(m) for name, m in self.models.items()},
            "failed": [{"path": u, "reason": r, "id": i} for i, u, r in self.failed],
            "skipped": [{"path": u, "reason": r} for u, r in self.skipped],
            "damaged": [
                {"model": model, "path": u, "reason": r, "id": i}
                for model, lost in self.damaged.items()
                for i, u, r in lost
            ],
            "runs": [dict(run) for run in self.runs],
        }

    def __repr__(self) -> str:  # a REPL's echo: the report, at most 5 failed images
        head = str(self).split("\n  failed images:")[0]
        if not self.failed:
            return head
        shown = [f"    {uri}: {reason}" for _, uri, reason in self.failed[:5]]
        more = [f"    ... {len(self.failed) - 5} more"] if len(self.failed) > 5 else []
        return "\n".join([head, "  failed images:", *shown, *more])


MAX_SKIPPED_SHOWN = 50  # a folder of sidecar files must not bury the report


def collection_info(
    catalog: Catalog,
    path: Path,
    damaged: dict[str, list[tuple[str, str, str]]] | None = None,
    *,
    models: list[str],
) -> CollectionInfo:
    """The :class:`CollectionInfo` of the collection at ``path`` with this catalog;
    ``damaged`` as :attr:`CollectionInfo.damaged` (not counted as having vectors);
    ``models`` the names of the models to list, in the catalog's order (the façade's
    models: views such as ``<model>-grey-centre`` are stored like models but are parts of
    one, not listed)."""
    counts = catalog.counts()
    damaged = damaged or {}
    listed = set(models)
    model_info = {
        name: {
            "dim": dim,
            "vectors": len(catalog.embedding_rows(name)) - len(damaged.get(name, [])),
            "encoding": (enc := Encoding.from_json(catalog.model_encoding(name))).describe(dim),
            "bytes_per_image": enc.bytes_per_vector(dim),
        }
        for name, dim in catalog.models()
        if name in listed
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
        skipped=catalog.skipped(),
        damaged=damaged,
    )


def catalog_version(catalog: Catalog, models: list[str]) -> tuple:
    """Changes when images are indexed: the catalog's counts, models and runs."""
    counts = catalog.counts()
    runs = catalog.runs()
    last = (runs[-1].get("id"), runs[-1].get("status")) if runs else None
    return (counts.get("ok", 0), counts.get("error", 0), tuple(models), len(runs), last)
