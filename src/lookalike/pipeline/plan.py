"""Which records a run reads: the source streamed in chunks, the files unchanged since
the last run (same place, same mtime and size, a vector for the model) left out. The
source is never held whole: a folder of millions of files is walked as it is read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from lookalike.pipeline.writer import Known
from lookalike.sources import ImageRecord

__all__ = ["PLAN_CHUNK", "Planner"]

PLAN_CHUNK = 1024  # records drawn from the source at a time


class Planner:
    """Plans against ``known`` (the catalog as the run found it) and ``embedded`` (the
    contents with a vector for the model then); counts what it ``seen`` and found
    ``unchanged``."""

    def __init__(self, known: Known, embedded: set[str]) -> None:
        self.known, self.embedded = known, embedded
        self.seen = 0
        self.unchanged = 0

    def todo(
        self,
        records: Iterable[ImageRecord],
        *,
        chunk: int | None = None,
        planned: Callable[[], None] | None = None,
    ) -> Iterator[ImageRecord]:
        """The records of ``records`` to read, in order, drawn ``chunk`` at a time
        (default :data:`PLAN_CHUNK`); ``planned()`` is called after each chunk (the
        counts are up to date then)."""
        records, chunk = iter(records), chunk or PLAN_CHUNK
        while part := list(islice(records, chunk)):
            todo = [record for record in part if not self._unchanged(record)]
            self.seen += len(part)
            self.unchanged += len(part) - len(todo)
            if planned is not None:
                planned()
            yield from todo

    def _unchanged(self, record: ImageRecord) -> bool:
        entry = self.known.get(record.uri)
        if entry is None or not record.is_local or entry[3] != "ok":
            return False
        if entry[4] not in self.embedded:  # a lost vector is embedded again
            return False
        try:
            stat = record.path.stat()
        except OSError:
            return False
        return entry[1] == stat.st_mtime and entry[2] == stat.st_size
