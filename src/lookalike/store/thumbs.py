"""Cached thumbnails under ``<collection>/thumbs/``, keyed by content hash and size."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from lookalike._files import atomic_file
from lookalike.imaging import decode, thumbnail

__all__ = ["ThumbnailCache"]


class ThumbnailCache:
    """JPEG thumbnails that fit in ``size x size``, made once per content and size."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_for(self, content_hash: str, size: int) -> Path:
        return self.root / str(size) / content_hash[:2] / f"{content_hash}.jpg"

    def get(self, content_hash: str, source: str | bytes, size: int) -> Image.Image:
        """The thumbnail of ``source`` (a path or bytes), from the cache when present."""
        path = self.path_for(content_hash, size)
        if path.is_file():
            with Image.open(path) as im:
                return im.convert("RGB")
        thumb = thumbnail(decode(source, min_side=size).image, size)
        with atomic_file(path, fsync=False) as fh:  # a cache: a lost one is made again
            thumb.save(fh, "JPEG", quality=88)
        return thumb
