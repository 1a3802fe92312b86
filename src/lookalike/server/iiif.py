"""The IIIF Image API 3.0 request, as pure functions: parse the URL parameters of
``{region}/{size}/{rotation}/{quality}.{format}`` against an image's size and the
server's limits, apply them to a Pillow image, describe the image in ``info.json``.

Nothing here reads files or knows about HTTP: a malformed or impossible request raises
:class:`IIIFError` (a ``ValueError``) whose message says which parameter and why, and
the server turns it into a 400.

Examples
--------
>>> req = parse_request("full", "400,", "0", "default", "jpg", width=800, height=600)
>>> req.region, req.size
((0, 0, 800, 600), (400, 300))
>>> parse_request("full", "900,", "0", "default", "jpg", width=800, height=600)
Traceback (most recent call last):
...
lookalike.server.iiif.IIIFError: size '900,': 900 px is wider than the region (800 px); ask for '^900,' to upscale.
"""  # noqa: E501

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from PIL import Image, ImageOps

__all__ = [
    "FORMATS",
    "QUALITIES",
    "IIIFError",
    "IIIFLimits",
    "IIIFRequest",
    "info_json",
    "parse_request",
    "render",
]

FORMATS = {
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}
QUALITIES = ("default", "color", "gray")
ROTATIONS = (0, 90, 180, 270)
CONTEXT = "http://iiif.io/api/image/3/context.json"

_INT = r"(\d{1,9})"
_NUM = r"(\d{1,9}(?:\.\d{1,9})?|\.\d{1,9})"
_REGION_PX = re.compile(rf"{_INT},{_INT},{_INT},{_INT}")
_REGION_PCT = re.compile(rf"pct:{_NUM},{_NUM},{_NUM},{_NUM}")
_SIZE_WH = re.compile(rf"(!)?{_INT}?,{_INT}?")
_SIZE_PCT = re.compile(rf"pct:{_NUM}")


class IIIFError(ValueError):
    """A IIIF request that is malformed or asks for too much (HTTP 400)."""


@dataclass(frozen=True)
class IIIFLimits:
    """Server limits on the output, advertised in ``info.json``.

    Attributes
    ----------
    max_width, max_height : int
        Largest output width and height in pixels.
    max_area : int
        Largest output ``width * height``.
    """

    max_width: int = 4096
    max_height: int = 4096
    max_area: int = 4096 * 4096


@dataclass(frozen=True)
class IIIFRequest:
    """A parsed request, in pixels of the full-size image.

    Attributes
    ----------
    region : tuple of int
        ``(x, y, w, h)`` of the full image, already clipped to it.
    size : tuple of int
        ``(width, height)`` of the scaled region (before rotation).
    rotation : int
        Clockwise degrees, one of 0, 90, 180, 270.
    mirror : bool
        Mirror horizontally before rotating (the ``!`` prefix).
    quality : str
    format : str
        ``jpg``, ``png`` or ``webp``.
    """

    region: tuple[int, int, int, int]
    size: tuple[int, int]
    rotation: int
    mirror: bool
    quality: str
    format: str

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def key(self) -> str:
        """A canonical cache key: equal for requests that give the same picture."""
        x, y, w, h = self.region
        flip = "!" if self.mirror else ""
        return f"{x},{y},{w},{h}_{self.size[0]},{self.size[1]}_{flip}{self.rotation}_{self.quality}.{self.format}"  # noqa: E501


def _parse_region(region: str, width: int, height: int) -> tuple[int, int, int, int]:
    if region == "full":
        return 0, 0, width, height
    if region == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if m := _REGION_PX.fullmatch(region):
        x, y, w, h = (int(v) for v in m.groups())
    elif m := _REGION_PCT.fullmatch(region):
        px, py, pw, ph = (float(v) for v in m.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    else:
        raise IIIFError(
            f"region {region!r}: expected 'full', 'square', 'x,y,w,h' or 'pct:x,y,w,h'."
        )
    if w <= 0 or h <= 0:
        raise IIIFError(f"region {region!r}: width and height must be greater than 0.")
    if x >= width or y >= height:
        raise IIIFError(f"region {region!r} lies outside the image ({width}x{height}).")
    return x, y, min(w, width - x), min(h, height - y)


def _parse_size(size: str, rw: int, rh: int, limits: IIIFLimits) -> tuple[int, int]:
    """The output (width, height) of a region ``rw x rh``; no input validation of rw, rh."""
    upscale = size.startswith("^")
    spec = size[1:] if upscale else size
    cap_w, cap_h, cap_area = limits.max_width, limits.max_height, limits.max_area
    if spec in ("max", "full"):  # 'full' is the IIIF 2.x name
        scale = min(cap_w / rw, cap_h / rh, math.sqrt(cap_area / (rw * rh)))
        if not upscale:
            scale = min(scale, 1.0)
        return max(1, math.floor(rw * scale)), max(1, math.floor(rh * scale))
    if m := _SIZE_PCT.fullmatch(spec):
        pct = float(m.group(1))
        if pct <= 0:
            raise IIIFError(f"size {size!r}: the percentage must be greater than 0.")
        if pct > 100 and not upscale:
            raise IIIFError(f"size {size!r}: more than 100% needs '^pct:{m.group(1)}'.")
        w, h = max(1, round(rw * pct / 100)), max(1, round(rh * pct / 100))
    elif m := _SIZE_WH.fullmatch(spec):
        confined, ws, hs = m.groups()
        if (ws is None and hs is None) or (confined and (ws is None or hs is None)):
            raise IIIFError(f"size {size!r}: give a width, a height or both.")
        w_req = int(ws) if ws is not None else None
        h_req = int(hs) if hs is not None else None
        if w_req == 0 or h_req == 0:
            raise IIIFError(f"size {size!r}: width and height must be greater than 0.")
        if confined:
            scale = min(w_req / rw, h_req / rh)
            if not upscale:
                scale = min(scale, 1.0)  # '!w,h' is never larger than the region
            w, h = max(1, math.floor(rw * scale + 1e-9)), max(1, math.floor(rh * scale + 1e-9))
        elif h_req is None:
            w, h = w_req, max(1, round(rh * w_req / rw))
        elif w_req is None:
            w, h = max(1, round(rw * h_req / rh)), h_req
        else:
            w, h = w_req, h_req
        if not upscale and not confined:
            if w > rw:
                raise IIIFError(
                    f"size {size!r}: {w} px is wider than the region ({rw} px); "
                    f"ask for '^{spec}' to upscale."
                )
            if h > rh:
                raise IIIFError(
                    f"size {size!r}: {h} px is taller than the region ({rh} px); "
                    f"ask for '^{spec}' to upscale."
                )
    else:
        raise IIIFError(
            f"size {size!r}: expected 'max', 'w,', ',h', 'w,h', '!w,h' or 'pct:n' "
            "(with '^' in front to allow upscaling)."
        )
    if w > cap_w or h > cap_h or w * h > cap_area:
        raise IIIFError(
            f"size {size!r}: {w}x{h} px is over this server's limit "
            f"({cap_w}x{cap_h} px, {cap_area} pixels in all)."
        )
    return w, h


def parse_request(
    region: str,
    size: str,
    rotation: str,
    quality: str,
    format: str,
    *,
    width: int,
    height: int,
    limits: IIIFLimits | None = None,
) -> IIIFRequest:
    """Parse the five IIIF parameters for an image of ``width x height`` pixels.

    Parameters
    ----------
    region : str
        ``full``, ``square``, ``x,y,w,h`` or ``pct:x,y,w,h``.
    size : str
        ``max``, ``w,``, ``,h``, ``w,h``, ``!w,h`` or ``pct:n``, each optionally
        prefixed with ``^`` to allow upscaling; ``full`` (IIIF 2.x) means ``max``.
    rotation : str
        ``0``, ``90``, ``180`` or ``270``, optionally prefixed with ``!`` (mirror).
    quality : str
        ``default``, ``color`` or ``gray``.
    format : str
        ``jpg``, ``png`` or ``webp``.
    width, height : int
        The full image's size.
    limits : IIIFLimits, optional
        Output limits (defaults: 4096 x 4096).

    Returns
    -------
    IIIFRequest

    Raises
    ------
    IIIFError
        Naming the parameter, what is allowed and why the request cannot be served.

    Examples
    --------
    >>> parse_request("square", "!100,100", "90", "gray", "png", width=300, height=200)
    IIIFRequest(region=(50, 0, 200, 200), size=(100, 100), rotation=90, mirror=False, quality='gray', format='png')
    """  # noqa: E501
    limits = limits or IIIFLimits()
    reg = _parse_region(region, width, height)
    out = _parse_size(size, reg[2], reg[3], limits)
    mirror = rotation.startswith("!")
    degrees = rotation[1:] if mirror else rotation
    if degrees not in {str(r) for r in ROTATIONS}:
        raise IIIFError(
            f"rotation {rotation!r}: expected 0, 90, 180 or 270 (optionally '!' to mirror)."
        )
    if quality not in QUALITIES:
        raise IIIFError(f"quality {quality!r}: expected one of {', '.join(QUALITIES)}.")
    if format not in FORMATS:
        raise IIIFError(f"format {format!r}: expected one of {', '.join(FORMATS)}.")
    return IIIFRequest(reg, out, int(degrees), mirror, quality, format)


def render(image: Image.Image, request: IIIFRequest, *, scale: float = 1.0) -> bytes:
    """Apply ``request`` to ``image`` and encode the result.

    Parameters
    ----------
    image : PIL.Image.Image
        RGB; the full image, or a reduced decode of it that is ``scale`` times its size.
    request : IIIFRequest
    scale : float, default=1.0
        ``image.width / full_width`` (a JPEG decoded in draft mode is smaller).

    Returns
    -------
    bytes
        The encoded picture, in ``request.format``.
    """
    x, y, w, h = request.region
    box = (
        x * scale,
        y * scale,
        min((x + w) * scale, image.width),  # float error must not step outside
        min((y + h) * scale, image.height),
    )
    out = image.resize(request.size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    if request.mirror:
        out = ImageOps.mirror(out)
    if request.rotation:
        out = out.rotate(-request.rotation, expand=True)  # IIIF turns clockwise
    if request.quality == "gray":
        out = out.convert("L")
    buf = io.BytesIO()
    pil_format = FORMATS[request.format][0]
    options = {"quality": 85} if pil_format in ("JPEG", "WEBP") else {"compress_level": 6}
    out.save(buf, pil_format, **options)
    return buf.getvalue()


def info_json(service_id: str, width: int, height: int, limits: IIIFLimits) -> dict:
    """The ``info.json`` of an image (IIIF Image API 3.0, level 2 features).

    >>> info = info_json("http://x/iiif/a1", 800, 600, IIIFLimits())
    >>> info["type"], info["profile"], info["width"], info["sizes"][0]
    ('ImageService3', 'level2', 800, {'width': 100, 'height': 75})
    """
    sizes = []
    for side in (100, 200, 400, 800):
        scale = side / max(width, height)
        if scale < 1:
            sizes.append({"width": round(width * scale), "height": round(height * scale)})
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": width,
        "height": height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": sizes,
        "extraQualities": ["color", "gray"],
        "extraFormats": ["webp"],
        "extraFeatures": ["mirroring", "sizeUpscaling"],
    }
