"""Safe image decoding, model inputs and thumbnails.

Every image that enters lookalike goes through :func:`decode`: size and pixel limits
before any pixel is decoded, JPEG draft mode for big scans, EXIF orientation, the first
frame of animations, and every mode converted to RGB (transparency over white).

Besides Pillow's own formats, phone photos are read: HEIC/HEIF through ``pillow-heif``
(its Pillow opener is registered here) and AVIF through Pillow's AVIF plugin.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import (
    Image,
    ImageChops,
    ImageFile,
    ImageOps,
    ImageStat,
    UnidentifiedImageError,
    features,
)

from lookalike._formats import FORMATS, IMAGE_EXTENSIONS
from lookalike._uris import FILE_PREFIX, uri_path
from lookalike._validation import check_choice
from lookalike.errors import ImageDecodeError

try:  # HEIC/HEIF, what phones write; a main dependency, but a missing wheel is no crash
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORT = True
except ImportError:  # pragma: no cover - pillow-heif is installed with lookalike
    HEIF_SUPPORT = False

__all__ = [
    "FORMATS",
    "IMAGE_EXTENSIONS",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "VIEWS",
    "DecodedImage",
    "centre_input",
    "centre_view",
    "content_hash",
    "decode",
    "load_for_model",
    "pixel_hash",
    "thumbnail",
    "to_model_input",
]

MAX_PIXELS = 200_000_000  # a 14k x 14k scan; bigger is treated as a decompression bomb
MAX_FILE_BYTES = 512 * 1024 * 1024
VIEWS = ("whole", "centre")  # what part of a picture a model sees (see centre_view)
CENTRE_KEEP = 0.7

# Pillow's own bomb check warns at MAX_IMAGE_PIXELS and raises at twice that; ours is
# explicit (checked on the header, before decoding) so we switch Pillow's off.
Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class DecodedImage:
    """An RGB image and the size of the original (before any draft reduction)."""

    image: Image.Image
    width: int
    height: int
    format: str


def content_hash(data: bytes) -> str:
    """Hex BLAKE2b-128 of the file's bytes: the key of a vector in the store.

    >>> content_hash(b"abc")
    'cf4ab791c62b8d2b2109c90275287816'
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def pixel_hash(image: Image.Image) -> str:
    """Hash of the decoded RGB pixels and size: equal for the same picture saved twice
    losslessly (PNG vs BMP, different metadata)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{rgb.width}x{rgb.height}".encode())
    h.update(rgb.tobytes())
    return h.hexdigest()


def _read(source: str | os.PathLike | bytes, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        # A catalog's uri of a file whose name is not UTF-8 (see lookalike._uris).
        is_uri = isinstance(source, str) and source.startswith(FILE_PREFIX)
        path = (uri_path(source) if is_uri else None) or Path(source)  # type: ignore[arg-type]
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                raise ImageDecodeError("not a regular file")
            size = st.st_size
            if size > max_bytes:
                raise ImageDecodeError(f"file too large: {size} bytes > {max_bytes}")
            data = path.read_bytes()
        except PermissionError as err:
            raise ImageDecodeError("permission denied") from err
        except IsADirectoryError as err:
            raise ImageDecodeError("is a directory") from err
        except FileNotFoundError as err:
            raise ImageDecodeError("file not found") from err
        except OSError as err:
            raise ImageDecodeError(f"cannot read file: {err.strerror or err}") from err
    if not data:
        raise ImageDecodeError("empty file (0 bytes)")
    if len(data) > max_bytes:
        raise ImageDecodeError(f"file too large: {len(data)} bytes > {max_bytes}")
    return data


def decode(
    source: str | os.PathLike | bytes,
    *,
    min_side: int | None = None,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_FILE_BYTES,
) -> DecodedImage:
    """Decode ``source`` (a path or the file's bytes) safely into an RGB image.

    Parameters
    ----------
    source : path or bytes
        The image file: a path, a catalog's ``file://`` uri, or the file's bytes.
    min_side : int, optional
        If given, JPEGs are decoded in draft mode at the smallest power-of-two
        reduction whose shorter side stays >= ``min_side`` (much faster for big scans).
    max_pixels : int, default=200_000_000
        Images with more pixels are refused before decoding (decompression bombs).
    max_bytes : int, default=512 MiB
        Files larger than this are refused before reading.

    Raises
    ------
    ImageDecodeError
        With a one-line reason: empty, not an image, unsupported format, too many pixels,
        truncated or corrupt data, unreadable file.
    """
    data = _read(source, max_bytes)
    return _decode_bytes(data, min_side=min_side, max_pixels=max_pixels)


def _decode_bytes(data: bytes, *, min_side: int | None, max_pixels: int) -> DecodedImage:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns on odd EXIF/ICC; not our concern
            im = Image.open(io.BytesIO(data))
            fmt = im.format or "?"
            if fmt not in FORMATS:
                raise ImageDecodeError(f"unsupported image format: {fmt}")
            width, height = im.size
            if width <= 0 or height <= 0:
                raise ImageDecodeError(f"invalid image size {width}x{height}")
            if width * height > max_pixels:
                raise ImageDecodeError(
                    f"too many pixels: {width}x{height} = {width * height} > {max_pixels}"
                )
            if getattr(im, "is_animated", False) and fmt != "HEIF":
                # The first frame stands for an animation; a HEIF holding several
                # pictures (a burst) opens at its primary one, which stands for them.
                im.seek(0)
            if min_side and fmt in ("JPEG", "MPO"):
                scale = min(width, height) / min_side
                if scale >= 2:
                    im.draft("RGB", (max(1, int(width / scale)), max(1, int(height / scale))))
            im.load()
            if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # rotated by 90 degrees
                width, height = height, width
            im = ImageOps.exif_transpose(im)
            rgb = _to_rgb(im)
    except ImageDecodeError:
        raise
    except UnidentifiedImageError as err:
        if not HEIF_SUPPORT and data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
            raise ImageDecodeError("HEIF image, but pillow-heif is not installed") from err
        if data[4:12] == b"ftypavif" and not features.check("avif"):
            raise ImageDecodeError("AVIF image, but this Pillow has no AVIF (>= 11.3)") from err
        raise ImageDecodeError("not an image (unrecognised file content)") from err
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        reason = _one_line(str(err)) or type(err).__name__
        if "truncated" in reason.lower() or isinstance(err, EOFError):
            reason = f"truncated image data ({reason})"
        raise ImageDecodeError(f"corrupt image: {reason}") from err
    except Exception as err:  # Pillow plugins raise odd types on hostile input
        reason = _one_line(f"{type(err).__name__}: {err}")
        raise ImageDecodeError(f"corrupt image: {reason}") from err
    return DecodedImage(rgb, width, height, fmt)


def _one_line(text: str) -> str:
    """A decoder's message on one line (libheif's end with a newline, some span several)."""
    return " ".join(text.split())


def _to_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB; transparency is composited (see :func:`_composite`)."""
    if im.mode == "RGB":
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # High bit depth greyscale: scale the actual range to 0..255.
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode in ("LA", "La", "PA"):
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "RGBa"):
        return _composite(im)
    return im.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV, ...


def _flat(im: Image.Image) -> bool:
    return max(ImageStat.Stat(im).stddev) < 2.0


def _composite(im: Image.Image) -> Image.Image:
    """RGBA over white; unless that blanks the picture, as it does for wallpapers made to
    sit over a desktop colour: then the colours alone carry the picture (translucent
    art), or, when the colour is flat too, the alpha does (paint through a mask) and is
    drawn over the colour's opposite."""
    out = Image.new("RGB", im.size, (255, 255, 255))
    out.paste(im, mask=im.getchannel("A"))
    if not _flat(out):
        return out
    rgb = im.convert("RGB")
    if not _flat(rgb):
        return rgb
    paint = ImageStat.Stat(rgb).mean
    out = Image.new("RGB", im.size, (0, 0, 0) if sum(paint) / 3 > 127 else (255, 255, 255))
    out.paste(im, mask=im.getchannel("A"))
    return out


def to_model_input(image: Image.Image, size: int) -> np.ndarray:
    """Squash the whole image to ``size x size`` RGB uint8, the input of every Backbone.

    Squashing (not centre-cropping) keeps every part of the picture, which matters for
    near-duplicates with borders or crops.

    A grey ("L") image is resized on its one channel and then given three equal ones:
    the same pixels as resizing its RGB copy, for a third of the resizing.

    >>> to_model_input(Image.new("RGB", (40, 20), (255, 0, 0)), 8).shape
    (8, 8, 3)
    >>> to_model_input(Image.new("L", (40, 20), 76), 8)[0, 0].tolist()
    [76, 76, 76]
    """
    resized = image.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(resized.convert("RGB") if resized.mode == "L" else resized, dtype=np.uint8)


def centre_input(image: Image.Image, size: int) -> np.ndarray:
    """The model input of ``image``'s centre view: ``to_model_input(centre_view(image),
    size)``, its grey middle resized before it is given three channels (the same
    pixels; on the indexing path, where a large middle's RGB copy cost as much again as
    the resizing)."""
    return to_model_input(_middle(image, CENTRE_KEEP, 12, grey=True), size)


def centre_view(
    image: Image.Image, keep: float = CENTRE_KEEP, tolerance: int = 12, grey: bool = True
) -> Image.Image:
    """The middle of a picture, in grey: a uniform border trimmed, then the central
    ``keep`` of its width and height, its colours dropped (``grey=False`` keeps them).

    Copies of one picture differ most at their edges: a mount or border, the black
    corners of a rotated scan, a crop, a caption. Their middles agree, so scoring the
    middle too brings those copies together, and two different pictures that share only
    a border or black corners apart (docs/duplicates.md, "Centre-view scores").

    The border is what differs from the top-left pixel's colour by at most ``tolerance``
    (on the luminance of the difference); it is trimmed only when the rest keeps more
    than 30% of the area (a picture on a plain background is not cut to its subject).

    The view is grey (three equal channels, the model's input stays RGB) because copies
    change colour more than anything else: greyscale and sepia reproductions, faded or
    re-balanced scans. The whole picture keeps its colours, so the score still sees
    them, and ``neighbors`` (whole pictures only) is unchanged. Measured in
    docs/duplicates.md ("Which second view").

    >>> framed = ImageOps.expand(Image.new("RGB", (100, 50), "red"), border=20, fill="white")
    >>> centre_view(framed).size
    (70, 35)
    >>> centre_view(framed).getpixel((0, 0)), centre_view(framed, grey=False).getpixel((0, 0))
    ((76, 76, 76), (255, 0, 0))
    """
    middle = _middle(image, keep, tolerance, grey)
    return middle.convert("RGB") if grey else middle


def _middle(image: Image.Image, keep: float, tolerance: int, grey: bool) -> Image.Image:
    """The centre view (see :func:`centre_view`), grey in mode "L" with ``grey``."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    background = Image.new("RGB", rgb.size, rgb.getpixel((0, 0)))
    differs = ImageChops.difference(rgb, background).convert("L")
    box = differs.point([0] * (tolerance + 1) + [255] * (255 - tolerance)).getbbox()
    if box and (box[2] - box[0]) * (box[3] - box[1]) > 0.3 * rgb.width * rgb.height:
        rgb = rgb.crop(box)
    w, h = rgb.size
    dx, dy = w * (1 - keep) / 2, h * (1 - keep) / 2
    middle = rgb.crop(
        (int(dx), int(dy), max(int(dx) + 1, int(w - dx)), max(int(dy) + 1, int(h - dy)))
    )
    return middle.convert("L") if grey else middle


def load_for_model(
    source: str | os.PathLike | bytes, size: int, *, view: str = "whole", **limits: int
) -> tuple[np.ndarray, DecodedImage]:
    """Decode ``source`` (draft mode at about ``size``) and return the model input of
    ``view`` (``"whole"``: the whole picture; ``"centre"``: :func:`centre_view`) and the
    decoded image (always whole)."""
    check_choice(view, "view", "load_for_model", VIEWS)
    min_side = size if view == "whole" else math.ceil(size / CENTRE_KEEP)
    decoded = decode(source, min_side=min_side, **limits)
    if view == "whole":
        return to_model_input(decoded.image, size), decoded
    return centre_input(decoded.image, size), decoded


def thumbnail(image: Image.Image, max_side: int) -> Image.Image:
    """A copy of ``image`` that fits in ``max_side x max_side`` (never upscaled)."""
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return copy
