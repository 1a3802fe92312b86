"""What every runner does around the reader, embedder and writer: one writer at a time,
the plan, the run recorded in the catalog, the progress bar, and the report's last
words (what a folder's walk left out). The local runner (:mod:`.local`) and the Ray
runner (:mod:`.ray`) differ only in where reading and embedding happen."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from lookalike._uris import display
from lookalike.models import Backbone, centre_name
from lookalike.pipeline.plan import Planner
from lookalike.pipeline.report import IndexReport
from lookalike.pipeline.writer import Target, Writer
from lookalike.sources import UNREADABLE_FOLDER, ImageRecord
from lookalike.store import Store

__all__ = ["IndexJob", "one_writer"]

ProgressFn = Callable[[int, int], None]


def one_writer(fn):
    """Run ``fn(store, records, backbone, ...)`` under the collection's writer lock: a
    second run waits, then finds the work done (nothing is embedded twice). It starts
    and ends by tidying: files dead writers left go, the new chunks are compacted."""

    @functools.wraps(fn)
    def run(store: Store, records, backbone: Backbone, *args, **kwargs) -> IndexReport:
        with store.writing():
            store.tidy(backbone.name)
            report = fn(store, records, backbone, *args, **kwargs)
            store.tidy(backbone.name)
        return report

    return run


class IndexJob:
    """One run of ``backbone`` over a source into ``store`` (under the writer lock).

    ``spec`` is recorded with the model now; ``walked`` and ``skipped`` (the folder the
    records come from and what its walk left out, filled while the records are drawn)
    are recorded when the source is exhausted (:meth:`finish`). With ``views`` a
    backbone of the whole picture also stores its centre views."""

    def __init__(
        self,
        store: Store,
        backbone: Backbone,
        *,
        source: str = "",
        spec: str | None = None,
        update_catalog: bool = True,
        views: bool = True,
        walked: str | None = None,
        skipped: list[tuple[str, str]] | None = None,
        progress: ProgressFn | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.store, self.walked, self.skipped, self.progress = store, walked, skipped, progress
        # A label: a folder's name may hold any bytes.
        self.report = IndexReport(source=display(source), model=backbone.name)
        if spec is not None:
            store.catalog.set_model_spec(backbone.name, spec)
        self.known = store.catalog.uri_index()
        self.planner = Planner(self.known, store.embedded_hashes(backbone.name))
        centre = centre_name(backbone.name) if views and backbone.view == "whole" else None
        self.target = Target(backbone.name, backbone.dim, spec, centre, update_catalog)
        self.written = 0
        self._shown: tuple[int, int] | None = None

    @property
    def centre(self) -> bool:
        """Whether the reader must give centre views too."""
        return self.target.centre is not None

    def todo(self, records: Iterable[ImageRecord]) -> Iterator[ImageRecord]:
        """The records to read (see :class:`Planner`), the progress bar kept up."""
        return self.planner.todo(records, planned=self._planned)

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """The run's writer, the run recorded in the catalog: how it ended too."""
        with self.store.catalog.run(self.report.source, self.target.model) as run_id:
            yield Writer(self.store, self.target, self.report, run_id, self.known)

    def wrote(self, n_items: int) -> None:
        """``n_items`` more are written."""
        self.written += n_items
        self._show()

    def finish(self) -> IndexReport:
        """Record what the folder's walk left out, compact the centre views; the report."""
        report = self.report
        report.seen, report.unchanged = self.planner.seen, self.planner.unchanged
        if self.walked is not None and self.skipped is not None:
            self.store.catalog.set_skipped(self.walked, self.skipped)
            unreadable = [e for e in self.skipped if e[1].startswith(UNREADABLE_FOLDER)]
            report.failed[:0] = unreadable  # the folders first, as they were walked first
            report.skipped += [e for e in self.skipped if not e[1].startswith(UNREADABLE_FOLDER)]
        if self.target.centre is not None:
            self.store.tidy(self.target.centre)  # one chunk for readers, as the model gets
        if self._shown != self._counts():
            self._show()
        report.seconds = time.perf_counter() - self.started
        return report

    def _counts(self) -> tuple[int, int]:
        return self.planner.unchanged + self.written, self.planner.seen

    def _planned(self) -> None:
        done, seen = self._counts()
        if done < seen:  # (all done so far: said once at the end, not at every chunk)
            self._show()

    def _show(self) -> None:
        self._shown = self._counts()
        if self.progress is not None:
            self.progress(*self._shown)
