"""The reader: records -> what the embedder and the writer need of each, from one read
and one decode: the model input of the picture (and of its centre view), its content
hash, its catalog row, or why it could not be read.

It decodes in a bounded pool of threads (Pillow and hashlib release the GIL), so reading
runs in parallel with inference, in input order and at most ``prefetch`` records ahead:
memory stays bounded at any collection size. The local runner and every Ray actor read
with these same functions, so an image fails with the same reason on both.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from stat import S_ISREG

import numpy as np

from lookalike.errors import ImageDecodeError
from lookalike.imaging import (
    CENTRE_KEEP,
    MAX_FILE_BYTES,
    DecodedImage,
    centre_input,
    content_hash,
    load_for_model,
    pixel_hash,
)
from lookalike.sources import ImageRecord

__all__ = ["Batch", "ReadItem", "batches", "read_one", "read_records"]


@dataclass
class ReadItem:
    """What the reader makes of one record: its content ``hash``, the model input of the
    picture (``pixels``) and of its centre view (``centre``, when asked for), its
    catalog ``row``, or the ``error`` that stopped it."""

    record: ImageRecord
    hash: str | None = None
    pixels: np.ndarray | None = None
    row: dict = field(default_factory=dict)
    error: str | None = None
    centre: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        """Read and decoded: it has a vector to embed (or reuse)."""
        return bool(self.hash) and not self.error


@dataclass(frozen=True)
class Batch:
    """A batch of read items, and the seconds the runner waited for it."""

    items: list[ReadItem]
    wait: float = 0.0


def read_one(record: ImageRecord, size: int, view: str = "whole", centre: bool = False) -> ReadItem:
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
        return centre_input(image, size)
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
            window.append(pool.submit(read_one, record, size, view, centre))
            if len(window) >= prefetch:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def batches(items: Iterable[ReadItem], size: int) -> Iterator[Batch]:
    """``items`` in batches of ``size`` (the last may be smaller), each with the seconds
    spent waiting for it."""
    items = iter(items)
    while True:
        t0 = time.perf_counter()
        batch = list(islice(items, size))
        if not batch:
            return
        yield Batch(batch, time.perf_counter() - t0)
