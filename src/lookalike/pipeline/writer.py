"""The writer: a batch of read items and their vectors -> the store, through its one
write path (:meth:`Store.commit`): the vector chunk is durable before the catalog names
it, and the batch's rows, vectors and run counts are one SQLite transaction. The centre
views follow in a second commit of vectors only (a model is listed before its view; a
crash in between leaves images without a centre view, which ``duplicates`` embeds).

It also decides what each image is to the collection: added, updated, moved (the same
content vanished from another place: it keeps its id) or failed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lookalike._uris import is_remote, uri_path
from lookalike.pipeline.embedder import Embedded
from lookalike.pipeline.reader import Batch, ReadItem
from lookalike.pipeline.report import BatchTiming, IndexReport
from lookalike.store import Store

__all__ = ["Target", "Writer"]

# The catalog's view of a uri: (id, mtime, size, status, content hash).
Known = dict[str, tuple[str, float | None, int | None, str, str | None]]


@dataclass(frozen=True)
class Target:
    """Where a run's vectors go: ``model`` (of ``dim``, built from ``spec``), and with
    ``centre`` the name its centre views are stored under. Without ``update_catalog``
    only vectors are stored: the image rows stay as the catalog has them."""

    model: str
    dim: int
    spec: str | None = None
    centre: str | None = None
    update_catalog: bool = True


class Writer:
    """Writes the batches of one run (``run_id``) into ``store``, counting in ``report``.

    ``known`` is the catalog as the run found it (uri -> id, mtime, size, status, hash);
    ``embedded`` and ``centre_done`` are the contents whose vectors are stored, kept up
    to date as batches are written (the embedder skips them)."""

    def __init__(
        self, store: Store, target: Target, report: IndexReport, run_id: int, known: Known
    ) -> None:
        self.store, self.target, self.report, self.run_id = store, target, report, run_id
        self.known = known
        # uris this run added: a source that lists one file twice adds it once (the
        # catalog holds one row for it; `known` is the catalog before the run)
        self.added: set[str] = set()
        self.missing = _missing_by_hash(known) if target.update_catalog else {}
        self.embedded = store.embedded_hashes(target.model)  # a lost vector is made again
        self.centre_done: set[str] = set()
        if target.centre is not None:
            store.tidy(target.centre)  # (under the writer lock, as the whole run is)
            self.centre_done = store.embedded_hashes(target.centre)

    def write(self, batch: Batch, embedded: Embedded) -> None:
        """Commit ``batch`` with the vectors ``embedded`` gives for it; a vector already
        stored (e.g. one a Ray actor embedded again) is not stored twice."""
        t0 = time.perf_counter()
        target, report = self.target, self.report
        rows = [self._classify(item) for item in batch.items]
        hashes, vectors = _new(embedded.hashes, embedded.vectors, self.embedded)
        n_ok = sum(1 for item in batch.items if not item.error)
        report.reused += n_ok - len(hashes)
        report.embedded += len(hashes)
        self.store.commit(
            target.model,
            target.dim,
            [row for row in rows if row is not None],
            hashes,
            vectors,
            run_id=self.run_id,
            run_counts={
                "n_seen": len(batch.items),
                "n_embedded": len(hashes),
                "n_failed": len(batch.items) - n_ok,
            },
            spec=target.spec,
        )
        self.embedded.update(hashes)
        if target.centre is not None:
            centre, centre_vectors = _new(
                embedded.centre_hashes, embedded.centre_vectors, self.centre_done
            )
            if centre:
                self.store.commit(target.centre, target.dim, [], centre, centre_vectors)
                self.centre_done.update(centre)
                report.views_embedded += len(centre)
        report.batches.append(
            BatchTiming(len(batch.items), batch.wait, embedded.seconds, time.perf_counter() - t0)
        )

    def _classify(self, item: ReadItem) -> dict | None:
        """Count ``item`` in the report (a move is recorded now); its catalog row."""
        uri = item.record.uri
        if item.error:
            self.report.failed.append((uri, item.error))
        elif not self.target.update_catalog:
            pass
        elif item.hash and uri not in self.known and item.hash in self.missing:
            # The same content vanished from another place: the file moved. Keep its id.
            self.store.rename_uri(self.missing.pop(item.hash), uri, item.row["mtime"])
            self.report.moved += 1
        elif uri in self.known:
            self.report.updated += 1
        elif uri not in self.added:
            self.added.add(uri)
            self.report.added += 1
        return item.row if self.target.update_catalog else None


def _new(hashes: list[str], vectors: np.ndarray, stored: set[str]) -> tuple[list[str], np.ndarray]:
    """The ``hashes`` not in ``stored`` (each once) and their rows of ``vectors``: all
    of them, as given, when none is stored yet (the local embedder skipped those)."""
    keep: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h not in stored:
            keep.setdefault(h, i)
    if len(keep) == len(hashes):
        return list(hashes), vectors
    return list(keep), vectors[list(keep.values())]


def _missing_by_hash(known: Known) -> dict[str, str]:
    """content hash -> uri of a catalogued local file that no longer exists (moved?)."""
    missing: dict[str, str] = {}
    for uri, (_, _, _, status, hash_) in known.items():
        if status == "ok" and hash_ and not is_remote(uri):
            if not (uri_path(uri) or Path(uri)).exists():
                missing.setdefault(hash_, uri)
    return missing
