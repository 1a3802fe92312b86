"""A collection's health: is the catalog sound, does every vector it names exist, are
there files dead writers left. Reading only; the repair (embedding lost vectors again)
is the pipeline's (:func:`lookalike.pipeline.repair_store`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lookalike.store._store import Damage, Store
from lookalike.store.vectors import VectorFiles

__all__ = ["Health", "check_store"]

MAX_LISTED = 20


@dataclass(frozen=True)
class Health:
    """What :func:`check_store` found (and repaired); prints as a report.

    ``damage`` lists (model, image id, uri, reason) of the vectors still lost; ``ok``
    is true when the catalog is sound and no vector is lost.
    """

    path: str
    catalog: str
    damage: list[tuple[str, str, str, str]]
    stray_files: int
    repaired: int = 0
    removed_files: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.catalog == "ok" and not self.damage

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (for JSON)."""
        return {
            "path": self.path,
            "ok": self.ok,
            "catalog": self.catalog,
            "damage": [{"model": m, "path": u, "reason": r, "id": i} for m, i, u, r in self.damage],
            "stray_files": self.stray_files,
            "repaired": self.repaired,
            "removed_files": self.removed_files,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        lines = [f"Collection {self.path}", f"  catalog: {self.catalog}"]
        by_model: dict[str, list[tuple[str, str, str, str]]] = {}
        for d in self.damage:
            by_model.setdefault(d[0], []).append(d)
        for model, lost in by_model.items():
            lines.append(f"  model {model}: {len(lost)} images lost their vectors:")
            lines += [f"    {i} {uri}: {why}" for _, i, uri, why in lost[:MAX_LISTED]]
            if len(lost) > MAX_LISTED:
                lines.append(f"    ... and {len(lost) - MAX_LISTED} more")
        if not self.damage:
            lines.append("  vectors: every vector the catalog names is on disk")
        if self.stray_files:
            lines.append(
                f"  {self.stray_files} vector files no catalog row names (left by a writer "
                "that died, or being written now): harmless, removed by the next writer"
            )
        if self.repaired or self.removed_files:
            lines.append(
                f"  repaired: {self.repaired} vectors embedded again, "
                f"{self.removed_files} stray files removed"
            )
        lines += [f"  {note}" for note in self.notes]
        if not self.ok and not self.repaired:
            lines.append(f"  repair: `lookalike check {self.path} --repair` (or `index` again)")
        return "\n".join(lines)


def _catalog_check(store: Store) -> str:
    rows = store.catalog._query("PRAGMA quick_check")
    said = [r[0] for r in rows]
    return "ok" if said == ["ok"] else "; ".join(said[:5])


def _stray_files(store: Store) -> int:
    n = 0
    for name, _ in store.catalog.models():
        files = VectorFiles(store.path / "vectors", name)
        if files.dir.exists():
            keep = store.catalog.chunks(name) | {store.encoding(name).projection}
            n += sum(1 for p in files.dir.iterdir() if p.name.removesuffix(".npy") not in keep)
    return n


def _listed(store: Store, damage: list[Damage]) -> list[tuple[str, str, str, str]]:
    uris = {r.id: r.uri for r in store.catalog.images()}
    return [(d.model, d.image_id, uris.get(d.image_id, ""), d.reason) for d in damage]


def check_store(store: Store) -> Health:
    """Check the collection in ``store``: reading only."""
    damage = _listed(store, store.damage())
    return Health(str(store.path), _catalog_check(store), damage, _stray_files(store))
