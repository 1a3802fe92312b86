"""Pictures for the IIIF endpoints: cut the region out of the original and shrink it
with libvips (``pyvips``), which streams the file a few lines at a time, so a 14000 x
14000 PNG costs megabytes, not gigabytes; then apply the request (exact Lanczos resize,
rotation, quality) to that small picture and encode it. Outputs up to
``cache_max_side`` are kept on disk under ``<collection>/thumbs/iiif/``, keyed by
content hash and request.

Without pyvips, or for a file libvips does not stream (EXIF-rotated, a format outside
``VIPS_LOADERS``), the original is decoded with Pillow (reduced JPEG decode when the
output is small): the server then limits how many such decodes run at once."""

from __future__ import annotations

import logging
import math
import os
import threading
from pathlib import Path

from PIL import Image

from lookalike import ImageDecodeError, ImageRow
from lookalike import decode_image as decode
from lookalike._files import write_atomic
from lookalike._uris import uri_path
from lookalike.server.iiif import IIIFRequest, render
from lookalike.server.slots import Slots

try:
    import pyvips

    pyvips.cache_set_max(0)  # no operation cache: each picture is made once, then on disk
    pyvips.block_untrusted_set(True)  # no ImageMagick, MATLAB or other fragile loaders
except (ImportError, OSError):  # not installed, or its libvips cannot be loaded
    pyvips = None

__all__ = ["VIPS_LOADERS", "PictureService", "Slots", "UnreadablePicture"]

log = logging.getLogger("lookalike.server")


class UnreadablePicture(Exception):
    """The original of a catalogued image can no longer be read."""


class PictureService:
    """Render IIIF requests for catalog rows, with an on-disk cache.

    Parameters
    ----------
    cache_dir : path or None
        Where rendered pictures are kept; ``None`` disables the cache.
    cache_max_side : int
        Outputs whose longer side is larger are not cached.

    slots : int
        Pictures rendered at once (the others wait their turn: see :meth:`slots`).
    """

    def __init__(
        self, cache_dir: str | os.PathLike | None, *, cache_max_side: int, slots: int = 4
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.cache_max_side = cache_max_side
        self.slots = Slots(slots)
        self._big = threading.Lock()

    def _cache_path(self, row: ImageRow, request: IIIFRequest) -> Path | None:
        if self.cache_dir is None or max(request.size) > self.cache_max_side:
            return None
        key = row.content_hash or row.id
        return self.cache_dir / key[:2] / key / request.key

    def cached(self, row: ImageRow, request: IIIFRequest) -> bytes | None:
        """The picture from the disk cache, or None."""
        path = self._cache_path(row, request)
        if path is not None:
            try:
                return path.read_bytes()
            except OSError:
                pass
        return None

    def make(self, row: ImageRow, request: IIIFRequest) -> bytes:
        """Render the picture (and keep it in the disk cache when it is small)."""
        data = self._render(row, request)
        path = self._cache_path(row, request)
        if path is not None:
            _write_quietly(path, data)
        return data

    def _render(self, row: ImageRow, request: IIIFRequest) -> bytes:
        reduced = _vips_region(row, request) if pyvips is not None else None
        if reduced is not None:
            w, h = reduced.size
            return render(reduced, _whole(request, w, h), scale=1.0)
        return self._render_pillow(row, request)

    def _render_pillow(self, row: ImageRow, request: IIIFRequest) -> bytes:
        if (row.width or 0) * (row.height or 0) > BIG_PIXELS:
            with self._big:  # a full decode of a huge file: one at a time
                return self._decode_and_render(row, request)
        return self._decode_and_render(row, request)

    def _decode_and_render(self, row: ImageRow, request: IIIFRequest) -> bytes:
        _, _, rw, rh = request.region
        scale = max(request.size[0] / rw, request.size[1] / rh)
        min_side = math.ceil(min(row.width or 1, row.height or 1) * min(scale, 1.0)) + 1
        try:
            decoded = decode(row.uri, min_side=min_side)
        except ImageDecodeError as err:
            raise UnreadablePicture(
                f"The picture of image {row.id!r} cannot be read: {err}"
            ) from err
        image = decoded.image
        if (decoded.width, decoded.height) != (row.width, row.height):  # changed on disk
            raise UnreadablePicture(f"The file of image {row.id!r} changed since indexing.")
        return render(image, request, scale=image.width / decoded.width)


# Above this many pixels a file decoded whole by Pillow (libvips cannot stream it) is
# decoded one at a time: 3 bytes a pixel, so at most ~100 MB each for the others.
BIG_PIXELS = 32_000_000
# Loaders that read the formats lookalike indexes, line by line.
VIPS_LOADERS = ("jpegload", "pngload", "webpload", "tiffload", "gifload")
_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def _whole(request: IIIFRequest, width: int, height: int) -> IIIFRequest:
    """``request`` applied to a picture that is already its region, ``width x height``."""
    from dataclasses import replace

    return replace(request, region=(0, 0, width, height))


def _vips_region(row: ImageRow, request: IIIFRequest) -> Image.Image | None:
    """The request's region, shrunk by a whole factor to at least three times the
    output size (as Pillow's ``reducing_gap=3`` does), as an RGB Pillow image; or None
    when libvips should not read this file (the caller falls back to Pillow).

    Raises
    ------
    UnreadablePicture
        If the file is gone, changed size since indexing, or does not decode.
    """
    x, y, w, h = request.region
    path = uri_path(row.uri)  # None for a remote picture; a file:// uri for odd names
    if path is None or not os.fsdecode(path).isprintable():
        return None  # libvips takes UTF-8 names only: Pillow's path reads every other
    try:  # (an animation loads its first frame, as the indexing decoder reads it)
        image = pyvips.Image.new_from_file(os.fsdecode(path), access="sequential")
        if image.get("vips-loader") not in VIPS_LOADERS:
            return None
        if image.get_typeof("orientation") and image.get("orientation") not in (0, 1):
            return None  # turning needs random access: Pillow's path
        if image.interpretation == "cmyk":
            return None  # libvips converts through ICC profiles, the index did not
        if (image.width, image.height) != (row.width, row.height):
            raise UnreadablePicture(f"The file of image {row.id!r} changed since indexing.")
        image = image.crop(x, y, w, h)
        factor = max(1, int(min(w / request.size[0], h / request.size[1]) / 3))
        if factor > 1:
            image = image.shrink(factor, factor)
        if image.interpretation not in ("srgb", "b-w") or image.format != "uchar":
            image = image.colourspace("srgb").cast("uchar")
        if image.bands in (2, 4):  # transparency: over white, like the indexing decoder
            image = image.flatten(background=[255] * (image.bands - 1))
        data = image.write_to_memory()
    except pyvips.Error as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else "libvips error"
        if not path.exists():
            raise UnreadablePicture(
                f"The picture of image {row.id!r} cannot be read: file not found"
            ) from err
        raise UnreadablePicture(
            f"The picture of image {row.id!r} cannot be read: {reason}"
        ) from err
    mode = _MODES[image.bands]
    return Image.frombytes(mode, (image.width, image.height), data).convert("RGB")


def _write_quietly(path: Path, data: bytes) -> None:
    """Write atomically; a read-only collection just means no cache."""
    try:
        write_atomic(path, data, fsync=False)  # a cache: a lost one is made again
    except OSError as err:
        log.warning("cannot cache %s: %s", path, err)
