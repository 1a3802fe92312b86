"""Indexing is a map over batches: reader (records -> model inputs) -> embedder
(batch -> vectors) -> writer (vectors -> store), each built separately, with per-batch
timings.

The reader decodes in a bounded pool of threads (Pillow and hashlib release the GIL), so
decoding runs in parallel with inference; the writer commits every batch atomically, so
an interrupted run resumes where it stopped.

The same decode also gives each picture's centre view (:func:`lookalike.imaging.centre_view`),
embedded with the same model and stored under ``<model>-centre``: the near-duplicate
score then needs no second pass over the files.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import numpy as np

from lookalike._uris import display, is_remote, uri_path
from lookalike.errors import ImageDecodeError
from lookalike.imaging import (
    CENTRE_KEEP,
    MAX_FILE_BYTES,
    DecodedImage,
    centre_view,
    content_hash,
    load_for_model,
    pixel_hash,
    to_model_input,
)
from lookalike.models import Backbone, CentreView
from lookalike.sources import UNREADABLE_FOLDER, ImageRecord
from lookalike.store import Store

__all__ = ["BatchTiming", "IndexReport", "index_records", "read_records"]

ProgressFn = Callable[[int], None]


@dataclass
class ReadItem:
    """What the reader makes of one record."""

    record: ImageRecord
    hash: str | None = None
    pixels: np.ndarray | None = None
    row: dict = field(default_factory=dict)
    error: str | None = None
    centre: np.ndarray | None = None  # the centre view's model input, when asked for


@dataclass(frozen=True)
class BatchTiming:
    """Seconds spent per stage for one batch (reading overlaps with embedding)."""

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


MAX_LISTED = 20  # skipped files printed in a report; the report object holds them all


def _listing(word: str, entries: list[tuple[str, str]], limit: int, more: str) -> list[str]:
    """``  word: uri: reason`` lines, at most ``limit`` of them, then how many more."""
    lines = [f"  {word}: {display(uri)}: {reason}" for uri, reason in entries[:limit]]
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more {word} ({more})")
    return lines


def _read_one(
    record: ImageRecord, size: int, view: str = "whole", centre: bool = False
) -> ReadItem:
    """Read, hash and decode one record into the model input of ``view`` (and, with
    ``centre``, of its centre view, from the same decode). Never raises: failures
    become ``item.error``."""
    item = ReadItem(record)
    row = {"uri": record.uri, "metadata": dict(record.metadata), "mtime": None}
    try:
        if record.is_local:
            stat = record.path.stat()
            row["mtime"] = stat.st_mtime
            if not S_ISREG(stat.st_mode):  # a FIFO or device would block or never end
                raise ImageDecodeError("not a regular file")
            if stat.st_size > MAX_FILE_BYTES:
                raise ImageDecodeError(f"file too large: {stat.st_size} bytes")
            data = record.path.read_bytes()
        else:
            data = record.loader(record.uri)  # type: ignore[misc]
        row["bytes"] = len(data)
        item.hash = content_hash(data) if data else None
        pixels, decoded = load_for_model(data, size, view=view)
        item.pixels = pixels
        if centre:
            item.centre = _centre_input(data, decoded, size)
        row.update(width=decoded.width, height=decoded.height, format=decoded.format)
        if view == "whole":  # a view's pass stores vectors only: no catalog row needs it
            row["pixel_hash"] = pixel_hash(decoded.image)
        row["metadata"].setdefault("format", decoded.format)
        row.pop("format")
    except ImageDecodeError as err:
        item.error = str(err)
    except PermissionError:
        item.error = "permission denied"
    except FileNotFoundError:
        item.error = "file not found"
    except OSError as err:  # symlink loops, I/O errors, remote failures
        item.error = f"cannot read: {err.strerror or err}"
    except Exception as err:  # a remote loader's own error types
        item.error = f"cannot read: {type(err).__name__}: {err}"
    row.setdefault("bytes", None)
    row.setdefault("width", None)
    row.setdefault("height", None)
    row.setdefault("pixel_hash", None)
    row.pop("format", None)
    row.update(
        content_hash=item.hash,
        status="error" if item.error else "ok",
        error=item.error,
        id=record.id,
        id_wanted=None if record.id else _wanted_id(item.hash, record.uri),
    )
    item.row = row
    return item


def _centre_input(data: bytes, decoded: DecodedImage, size: int) -> np.ndarray:
    """The centre view's model input, as ``load_for_model(data, size, view="centre")``
    gives it, from ``decoded`` (the whole picture's decode) whenever that decode is the
    same: not reduced, or reduced to at least the centre's own draft size. Otherwise (a
    JPEG the whole picture needed at a coarser draft) the bytes already read are
    decoded again at the centre's draft size."""
    image = decoded.image
    unreduced = image.size in ((decoded.width, decoded.height), (decoded.height, decoded.width))
    if unreduced or min(image.size) >= math.ceil(size / CENTRE_KEEP):
        return to_model_input(centre_view(image), size)
    return load_for_model(data, size, view="centre")[0]


def _wanted_id(hash_: str | None, uri: str) -> str:
    # Short and stable: from the content; a file we could not read gets one from its uri.
    return (hash_ or "x" + content_hash(uri.encode()))[:12]


def read_records(
    records: Iterable[ImageRecord],
    size: int,
    *,
    workers: int,
    prefetch: int,
    view: str = "whole",
    centre: bool = False,
) -> Iterator[ReadItem]:
    """The reader: decode ``records`` in ``workers`` threads, in order, at most
    ``prefetch`` ahead (memory stays bounded at any collection size), into model inputs
    of ``size`` showing ``view`` of each picture (see ``imaging.load_for_model``), and
    with ``centre`` the input of its centre view too."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lookalike-read") as pool:
        window: deque[Future[ReadItem]] = deque()
        for record in records:
            window.append(pool.submit(_read_one, record, size, view, centre))
            if len(window) >= prefetch:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _plan(store: Store, records: list[ImageRecord], model: str) -> tuple[list, int]:
    """Split records into those to read and the number unchanged since the last run
    (same place, same mtime and size, and a vector for ``model``)."""
    known = store.catalog.uri_index()
    embedded = store.embedded_hashes(model)  # a lost vector is embedded again
    todo, unchanged = [], 0
    for record in records:
        entry = known.get(record.uri)
        if entry is not None and record.is_local and entry[3] == "ok" and entry[4] in embedded:
            try:
                stat = record.path.stat()
            except OSError:
                todo.append(record)
                continue
            if entry[1] == stat.st_mtime and entry[2] == stat.st_size:
                unchanged += 1
                continue
        todo.append(record)
    return todo, unchanged


def _one_writer(fn):
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


@_one_writer
def index_records(
    store: Store,
    records: Iterable[ImageRecord],
    backbone: Backbone,
    *,
    source: str = "",
    batch_size: int = 32,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    update_catalog: bool = True,
    spec: str | None = None,
    walked: str | None = None,
    skipped: list[tuple[str, str]] | None = None,
    views: bool = True,
) -> IndexReport:
    """Read, embed and store ``records``; skip what the store already has.

    Parameters
    ----------
    backbone : Backbone
        Its ``view`` says what part of each picture it embeds.
    progress : callable, optional
        Called as ``progress(done, total)`` after each batch.
    update_catalog : bool, default=True
        With False only vectors are stored (keyed by content hash): the image rows,
        their status and places stay as the catalog has them, and an image that cannot
        be read is only listed in ``report.failed``. For embedding another view of
        images already indexed.
    spec : str, optional
        What builds ``backbone`` in another process (:func:`lookalike.models.spec_of`),
        recorded with the model: with its first vectors, or now if it has some (the
        place of a model file may have changed).
    walked, skipped : str and list, optional
        The uri of the folder ``records`` come from and the ``(uri, reason)`` its walk
        left out (filled while ``records`` is drawn): recorded in the catalog in place
        of that folder's last list (see ``Catalog.skipped``); unreadable folders are
        also reported as failed.
    views : bool, default=True
        Also embed the centre view of every picture read (from the same decode) with
        ``CentreView(backbone)``, stored under its name, for the near-duplicate score.
        Only for a backbone of the whole picture.

    Returns
    -------
    IndexReport
    """
    start = time.perf_counter()
    records = list(records)
    source = display(source)  # a label: a folder's name may hold any bytes
    report = IndexReport(source=source, model=backbone.name, seen=len(records))
    if walked is not None and skipped is not None:
        store.catalog.set_skipped(walked, skipped)
        for uri, reason in skipped:
            (report.failed if reason.startswith(UNREADABLE_FOLDER) else report.skipped).append(
                (uri, reason)
            )
    if spec is not None:
        store.catalog.set_model_spec(backbone.name, spec)
    todo, report.unchanged = _plan(store, records, backbone.name)
    known = store.catalog.uri_index()
    missing = _missing_by_hash(known) if update_catalog else {}
    embedded = store.embedded_hashes(backbone.name)
    workers = workers or os.cpu_count() or 1
    done = report.unchanged
    if progress:
        progress(done, len(records))

    centre = CentreView(backbone) if views and backbone.view == "whole" else None
    centre_done: set[str] = set()
    if centre is not None:
        store.tidy(centre.name)  # (under the writer lock, as the whole run is)
        centre_done = store.embedded_hashes(centre.name)  # a lost view is made again

    reader = read_records(
        todo,
        backbone.input_size,
        workers=workers,
        prefetch=4 * batch_size,
        view=backbone.view,
        centre=centre is not None,
    )
    with store.catalog.run(source, backbone.name) as run_id:
        while True:
            t0 = time.perf_counter()
            batch = [item for _, item in zip(range(batch_size), reader, strict=False)]
            if not batch:
                break
            wait = time.perf_counter() - t0
            _write_batch(
                store,
                backbone,
                batch,
                embedded,
                missing,
                known,
                report,
                run_id,
                wait,
                update_catalog,
                spec=spec,
            )
            if centre is not None:
                # After the whole vectors (a model is listed before its view). A crash in
                # between leaves images without a centre view: duplicates embeds those.
                report.views_embedded += _write_views(store, centre, batch, centre_done)
            done += len(batch)
            if progress:
                progress(done, len(records))
    if centre is not None:
        store.tidy(centre.name)  # one chunk for readers, as the whole vectors get
    report.seconds = time.perf_counter() - start
    return report


def _write_views(store: Store, view: Backbone, items: list[ReadItem], done: set[str]) -> int:
    """Embed and store the centre views of ``items`` not yet in ``done`` (one atomic
    commit of vectors only); return how many."""
    todo: dict[str, np.ndarray] = {}
    for item in items:
        if item.hash and not item.error and item.centre is not None and item.hash not in done:
            todo.setdefault(item.hash, item.centre)
    if not todo:
        return 0
    hashes = list(todo)
    vectors = view.embed(np.stack([todo[h] for h in hashes]))
    store.commit(view.name, view.dim, [], hashes, vectors)
    done.update(hashes)
    return len(hashes)


def _missing_by_hash(known: dict) -> dict[str, str]:
    """content hash -> uri of a catalogued local file that no longer exists (moved?)."""
    missing: dict[str, str] = {}
    for uri, (_, _, _, status, hash_) in known.items():
        if status == "ok" and hash_ and not is_remote(uri):
            if not (uri_path(uri) or Path(uri)).exists():
                missing.setdefault(hash_, uri)
    return missing


def _write_batch(
    store: Store,
    backbone: Backbone,
    items: list[ReadItem],
    embedded: set[str],
    missing: dict[str, str],
    known: dict,
    report: IndexReport,
    run_id: int,
    read_wait: float,
    update_catalog: bool = True,
    *,
    spec: str | None = None,
) -> None:
    """The embedder and writer for one batch."""
    to_embed: dict[str, np.ndarray] = {}
    rows = []
    for item in items:
        if item.error:
            report.failed.append((item.record.uri, item.error))
        elif not update_catalog:
            pass
        elif item.hash and item.record.uri not in known and item.hash in missing:
            # The same content vanished from another place: the file moved. Keep its id.
            store.rename_uri(missing.pop(item.hash), item.record.uri, item.row["mtime"])
            report.moved += 1
        elif item.record.uri in known:
            report.updated += 1
        else:
            report.added += 1
        if item.hash and not item.error and item.hash not in embedded:
            to_embed.setdefault(item.hash, item.pixels)
        if update_catalog:
            rows.append(item.row)
    t1 = time.perf_counter()
    hashes = list(to_embed)
    if hashes:
        vectors = backbone.embed(np.stack([to_embed[h] for h in hashes]))
    else:
        vectors = np.zeros((0, backbone.dim), dtype=np.float32)
    t2 = time.perf_counter()
    n_ok = sum(1 for item in items if not item.error)
    report.reused += n_ok - len(hashes)
    report.embedded += len(hashes)
    store.commit(
        backbone.name,
        backbone.dim,
        rows,
        hashes,
        vectors,
        run_id=run_id,
        run_counts={
            "n_seen": len(items),
            "n_embedded": len(hashes),
            "n_failed": len(items) - n_ok,
        },
        spec=spec,
    )
    embedded.update(hashes)
    report.batches.append(BatchTiming(len(items), read_wait, t2 - t1, time.perf_counter() - t2))
