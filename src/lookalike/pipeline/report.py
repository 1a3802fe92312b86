"""What an ``index`` run did (:class:`IndexReport`), with the seconds each batch spent
in each part of the pipeline (:class:`BatchTiming`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lookalike._uris import display

__all__ = ["MAX_LISTED", "BatchTiming", "IndexReport"]

MAX_LISTED = 20  # skipped files printed in a report; the report object holds them all


@dataclass(frozen=True)
class BatchTiming:
    """Seconds spent per part for one batch: waiting for the reader (reading overlaps
    with embedding; on Ray this wait holds reading and embedding on the cluster), in the
    embedder (0 on Ray: the actors embed) and in the writer."""

    n_images: int
    wait_read: float
    embed: float
    write: float


@dataclass
class IndexReport:
    """What one ``index`` run did. ``failed`` lists (uri, reason) for this run (an image
    that could not be read, a folder that could not be listed); ``skipped`` lists
    (uri, reason) of the files a folder's walk left out (not an image type)."""

    source: str
    model: str
    seen: int = 0
    unchanged: int = 0
    added: int = 0
    updated: int = 0
    moved: int = 0
    embedded: int = 0
    reused: int = 0
    views_embedded: int = 0  # centre views embedded from the same decode
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    # Getting the model ready before the first image (a first export to ONNX: ~30 s);
    # not in ``seconds``, which the throughput is measured over.
    model_seconds: float = 0.0
    batches: list[BatchTiming] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def images_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        # A short first line, the details indented below it: readable at 80 columns.
        problems = f"{len(self.failed)} failed" + (
            f", {len(self.skipped)} skipped" if self.skipped else ""
        )
        lines = [
            f"Indexed {self.source} with {self.model}: {self.seen} images seen.",
            f"  images: {self.added} added, {self.updated} updated, {self.moved} moved, "
            f"{self.unchanged} unchanged; {problems}",
            f"  vectors: {self.embedded} embedded, {self.reused} reused",
            f"  time: {self.seconds + self.model_seconds:.1f} s{self._model_time()}; "
            f"{self.images_per_second:.1f} images/s",
        ]
        lines += [f"  failed: {display(uri)}: {reason}" for uri, reason in self.failed]
        lines += _listing("skipped", self.skipped, MAX_LISTED, "see `lookalike info`")
        return "\n".join(lines)

    def _model_time(self) -> str:
        if self.model_seconds < 0.1:
            return ""
        return f", of which {self.model_seconds:.1f} s getting the model ready"

    def __repr__(self) -> str:  # a REPL's echo: the report, at most 5 failures
        lines = str(self).splitlines()
        failed = [line for line in lines if line.startswith("  failed: ")]
        head = [line for line in lines if not line.startswith("  failed: ")][:4]
        more = [f"  ... {len(failed) - 5} more failed"] if len(failed) > 5 else []
        return "\n".join(head + failed[:5] + more)


def _listing(word: str, entries: list[tuple[str, str]], limit: int, more: str) -> list[str]:
    """``  word: uri: reason`` lines, at most ``limit`` of them, then how many more."""
    lines = [f"  {word}: {display(uri)}: {reason}" for uri, reason in entries[:limit]]
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more {word} ({more})")
    return lines
