"""The image formats lookalike reads: the formats Pillow must identify in the bytes
(``FORMATS``) and the file-name suffixes a folder walk picks up (``IMAGE_EXTENSIONS``).
Common to the sources (which filter file names) and imaging (which decodes)."""

from __future__ import annotations

__all__ = ["FORMATS", "IMAGE_EXTENSIONS"]

# Formats we accept once Pillow has identified the bytes (not the file extension).
FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "BMP", "MPO", "HEIF", "AVIF")
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".webp", ".gif", ".bmp"}
    | {".heic", ".heif", ".hif", ".avif"}
)
