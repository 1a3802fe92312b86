"""Pictures for the IIIF endpoints: decode the original safely (reduced JPEG decode when
the output is small), apply the request, encode; outputs up to ``cache_max_side`` are
kept on disk under ``<collection>/thumbs/iiif/``, keyed by content hash and request."""

from __future__ import annotations

import logging
import math
import os
import tempfile
from pathlib import Path

from lookalike.errors import ImageDecodeError
from lookalike.imaging import decode
from lookalike.server.iiif import IIIFRequest, render
from lookalike.store import ImageRow

__all__ = ["PictureService", "UnreadablePicture"]

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
    """

    def __init__(self, cache_dir: str | os.PathLike | None, *, cache_max_side: int) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.cache_max_side = cache_max_side

    def _cache_path(self, row: ImageRow, request: IIIFRequest) -> Path | None:
        if self.cache_dir is None or max(request.size) > self.cache_max_side:
            return None
        key = row.content_hash or row.id
        return self.cache_dir / key[:2] / key / request.key

    def picture(self, row: ImageRow, request: IIIFRequest) -> bytes:
        """The encoded picture of ``row`` for ``request``.

        Raises
        ------
        UnreadablePicture
            If the original file is gone or no longer decodes.
        """
        path = self._cache_path(row, request)
        if path is not None:
            try:
                return path.read_bytes()
            except OSError:
                pass
        data = self._render(row, request)
        if path is not None:
            _write_quietly(path, data)
        return data

    def _render(self, row: ImageRow, request: IIIFRequest) -> bytes:
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


def _write_quietly(path: Path, data: bytes) -> None:
    """Write atomically; a read-only collection just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as err:
        log.warning("cannot cache %s: %s", path, err)
