"""Repairing a collection: the vectors its catalog names but the disk lost are embedded
again from their image files (under the writer lock), and the files dead writers left
are removed. What is wrong is found by the store (:func:`lookalike.store.health.check_store`);
embedding again is the pipeline's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lookalike import models
from lookalike.errors import LookalikeError
from lookalike.pipeline.local import index_records
from lookalike.pipeline.specs import collection_backbone
from lookalike.sources import records_of_uris
from lookalike.store import Damage, Store
from lookalike.store.health import Health, check_store

__all__ = ["repair_store"]


def repair_store(store: Store) -> Health:
    """Check the collection in ``store``, then embed its lost vectors again and remove
    stray files; the :class:`Health` after, with what was repaired."""
    before = check_store(store)
    if not before.damage and not before.stray_files:
        return before
    notes: list[str] = []
    repaired = 0
    with store.writing():
        damage = store.damage()  # again, now that no writer runs
        by_model: dict[str, list[Damage]] = {}
        for d in damage:
            by_model.setdefault(d.model, []).append(d)
        for model, lost in by_model.items():
            repaired += _repair(store, model, lost, notes)
        for name, _ in store.catalog.models():
            store.tidy(name)
    after = check_store(store)
    return replace(after, repaired=repaired, removed_files=before.stray_files, notes=notes)


def _repair(store: Store, model: str, lost: list[Damage], notes: list[str]) -> int:
    if models.is_view(model):
        # A view's vectors are computed again when they are next needed (duplicates).
        store.forget_vectors(model, [d.content_hash for d in lost])
        notes.append(f"model {model}: {len(lost)} view vectors dropped, embedded again on use")
        return len(lost)
    try:
        backbone = collection_backbone(store.catalog, model)
    except LookalikeError as err:
        notes.append(f"model {model}: cannot embed again here: {err}")
        return 0
    ids = {d.image_id for d in lost}
    rows = [r for r in store.catalog.images(status="ok") if r.id in ids]
    todo = [
        (r.uri, r.metadata)
        for r in rows
        if r.uri.startswith(("http://", "https://")) or Path(r.uri).is_file()
    ]
    if len(todo) < len(rows):
        notes.append(f"model {model}: {len(rows) - len(todo)} image files are gone")
    if not todo:
        return 0
    report = index_records(store, list(records_of_uris(todo)), backbone, source="repair", spec=None)
    return report.embedded
