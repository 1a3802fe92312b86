"""Synthetic copies of a picture: what a collection's own images look like when copied
(resized, cropped, re-compressed, recoloured, captioned over), so that a collection can
measure the scores of true copies on its own images, without labels (the automatic
duplicate threshold, :func:`lookalike.analysis.auto_threshold`).

The kinds are deliberately the simple ones: the benchmark that checks the automatic
threshold (``bench/duplicates_transfer.py``) scores it on other kinds of copies
(re-scans, plates in a page, perspective, sepia, captions below the picture).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

__all__ = ["COPY_KINDS", "synthetic_copies", "synthetic_copy"]

COPY_KINDS = ("resize", "crop", "jpeg", "colour", "text")


def synthetic_copy(image: Image.Image, kind: str, rng: np.random.Generator) -> Image.Image:
    """One copy of ``image`` (RGB) of ``kind`` (one of :data:`COPY_KINDS`), its
    parameters drawn from ``rng``.

    >>> im = Image.new("RGB", (200, 100), "red")
    >>> synthetic_copy(im, "crop", np.random.default_rng(0)).size[0] < 200
    True
    """
    w, h = image.size
    if kind == "resize":
        f = rng.uniform(0.3, 0.6)
        return image.resize((max(32, int(w * f)), max(32, int(h * f))))
    if kind == "crop":
        cut = rng.uniform(0.10, 0.30)  # the share of the width and height removed
        left, top = rng.uniform(0, cut) * w, rng.uniform(0, cut) * h
        return image.crop(
            (int(left), int(top), int(left + (1 - cut) * w), int(top + (1 - cut) * h))
        )
    if kind == "jpeg":
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=int(rng.integers(20, 51)))
        buf.seek(0)
        with Image.open(buf) as copy:
            return copy.convert("RGB")
    if kind == "colour":
        shifted = ImageEnhance.Color(image).enhance(rng.uniform(0.4, 1.6))
        gains = rng.uniform(0.75, 1.25, size=3)
        bands = [
            c.point(lambda v, g=g: min(255, int(v * g)))
            for c, g in zip(shifted.split(), gains, strict=True)
        ]
        return Image.merge("RGB", bands)
    if kind == "text":
        texted = image.copy()
        draw = ImageDraw.Draw(texted)
        font = ImageFont.load_default(size=max(12, h // 12))
        draw.text(
            (w * 0.05, h * rng.uniform(0.05, 0.8)),
            "© Archive 1923 — copy",
            fill=(255, 255, 0),
            font=font,
            stroke_width=2,
            stroke_fill=(0, 0, 0),
        )
        return texted
    raise ValueError(f"Unknown copy kind {kind!r}: expected one of {', '.join(COPY_KINDS)}.")


def synthetic_copies(
    image: Image.Image,
    rng: np.random.Generator,
    kinds: tuple[str, ...] = COPY_KINDS,
    *,
    stack: int = 2,
) -> dict[str, Image.Image]:
    """One copy of ``image`` per kind, as ``{kind: image}``: that kind's change, then up
    to ``stack`` other kinds drawn at random (a real copy is rarely changed one way
    only: a scan is cropped, recoloured and re-compressed).

    >>> copies = synthetic_copies(Image.new("RGB", (64, 48), "red"), np.random.default_rng(0))
    >>> sorted(copies)
    ['colour', 'crop', 'jpeg', 'resize', 'text']
    """
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    out = {}
    for kind in kinds:
        others = [k for k in kinds if k != kind]
        extra = rng.choice(others, size=int(rng.integers(0, stack + 1)), replace=False)
        copy = rgb
        for k in [kind, *(str(e) for e in extra)]:
            copy = synthetic_copy(copy, k, rng)
        out[kind] = copy
    return out
