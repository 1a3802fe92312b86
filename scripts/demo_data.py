"""Gather the demo collection from images that install offline: scikit-image's photos,
Debian's mate-backgrounds and plasma-workspace-wallpapers (three sizes of a few
wallpapers, a natural near-duplicate family). Usage: python scripts/demo_data.py DEST"""

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


def main(dest: Path) -> None:
    from skimage import data

    (dest / "photos").mkdir(parents=True, exist_ok=True)
    for name in PHOTOS:
        src = next(
            (
                Path(data.data_dir) / f"{name}{e}"
                for e in (".png", ".jpg")
                if (Path(data.data_dir) / f"{name}{e}").is_file()
            ),
            None,
        )
        if src is None:
            Image.fromarray(getattr(data, name)()).save(dest / "photos" / f"{name}.png")
        else:
            shutil.copy(src, dest / "photos" / src.name)
    mate = Path("/usr/share/backgrounds/mate")
    for path in sorted(mate.glob("*/*")):
        (dest / "mate" / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest / "mate" / path.parent.name / path.name)
    plasma = Path("/usr/share/wallpapers")
    for family in PLASMA_FAMILIES:
        sizes = sorted((plasma / family / "contents" / "images").glob("*.*"))
        for path in sizes[:: max(1, len(sizes) // 3)][:3]:
            (dest / "wallpapers").mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest / "wallpapers" / f"{family}_{path.name}")
    print(f"demo images in {dest}: {sum(1 for p in dest.rglob('*') if p.is_file())} files")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-data"))
