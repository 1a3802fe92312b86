"""Gather the demo collection from images that install offline: scikit-image's photos,
Debian's mate-backgrounds and plasma-workspace-wallpapers, and real derivatives of a few
of them (resized, re-compressed, cropped, slightly rotated: the near-duplicates a curator
meets), plus one byte-identical copy, which lookalike reports apart as an exact copy.

Debian ships each Plasma wallpaper once and links its other "sizes" to that file, so only
the real file of each is copied. Usage: python scripts/demo_data.py DEST"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PIL import Image

PHOTOS = (
    "astronaut",
    "chelsea",
    "coffee",
    "rocket",
    "motorcycle_left",
    "motorcycle_right",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "camera",
    "coins",
    "horse",
)
PLASMA_FAMILIES = ("Altai", "Autumn", "BytheWater", "Cascade", "Kite", "PastelHills")
PLASMA = Path("/usr/share/wallpapers")
MATE = Path("/usr/share/backgrounds/mate")


def _photo(name: str) -> Path | Image.Image:
    """The file of a scikit-image photo, or its pixels when it ships as an array."""
    from skimage import data

    for ext in (".png", ".jpg"):
        path = Path(data.data_dir) / f"{name}{ext}"
        if path.is_file():
            return path
    return Image.fromarray(getattr(data, name)())


def derivatives(src: Path, out: Path) -> list[Path]:
    """Four real derivatives of the image ``src`` in ``out``: half size, JPEG quality 40,
    an 80% centre crop and a 4-degree rotation (cropped to hide the corners)."""
    stem = src.stem
    with Image.open(src) as im:
        im = im.convert("RGB")
        w, h = im.size
        made = {
            f"{stem}_half.jpg": (im.resize((w // 2, h // 2), Image.Resampling.LANCZOS), 90),
            f"{stem}_q40.jpg": (im, 40),
            f"{stem}_crop.jpg": (im.crop((w // 10, h // 10, w - w // 10, h - h // 10)), 90),
            f"{stem}_rot4.jpg": (
                im.rotate(4, resample=Image.Resampling.BICUBIC).crop(
                    (w // 14, h // 14, w - w // 14, h - h // 14)
                ),
                90,
            ),
        }
    paths = []
    for name, (picture, quality) in made.items():
        picture.save(out / name, quality=quality)
        paths.append(out / name)
    return paths


def main(dest: Path) -> None:
    photos, variants = dest / "photos", dest / "derivatives"
    photos.mkdir(parents=True, exist_ok=True)
    variants.mkdir(parents=True, exist_ok=True)
    for name in PHOTOS:
        src = _photo(name)
        if isinstance(src, Path):
            shutil.copy(src, photos / src.name)
        else:
            src.save(photos / f"{name}.png")
    for path in sorted(MATE.glob("*/*")):
        (dest / "mate" / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest / "mate" / path.parent.name / path.name)
    (dest / "wallpapers").mkdir(parents=True, exist_ok=True)
    for family in PLASMA_FAMILIES:
        real = {p.resolve() for p in (PLASMA / family / "contents" / "images").glob("*.*")}
        for path in sorted(real):  # the real files only, not the links to them
            shutil.copy(path, dest / "wallpapers" / f"{family}_{path.name}")
    for src in (
        photos / "chelsea.png",
        photos / "coffee.png",
        dest / "mate" / "nature" / "LadyBird.jpg",
        next(iter(sorted((dest / "wallpapers").glob("Kite_*")))),
    ):
        if src.is_file():
            derivatives(src, variants)
    # One exact copy, as a collection gathered from several places holds.
    shutil.copy(photos / "astronaut.png", variants / "astronaut (copy).png")
    print(f"demo images in {dest}: {sum(1 for p in dest.rglob('*') if p.is_file())} files")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-data"))
