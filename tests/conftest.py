"""Shared fixtures: real photos from scikit-image written as files, derivatives of them,
a folder of bad files, and a small deterministic backbone for logic-only tests."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lookalike.models import Backbone, ModelInfo, l2_normalize, register

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle_left", "hubble_deep_field")


def skimage_photo(name: str) -> Image.Image:
    """A photo shipped inside scikit-image (no download), as RGB."""
    from skimage import data

    for ext in (".png", ".jpg"):
        path = Path(data.data_dir) / f"{name}{ext}"
        if path.is_file():
            with Image.open(path) as im:
                return im.convert("RGB")
    return Image.fromarray(getattr(data, name)()).convert("RGB")


class PixelBackbone(Backbone):
    """A real but tiny descriptor (a 6x6 colour thumbnail): deterministic and fast, for
    tests of logic that does not depend on the learned model."""

    name = "test-pixels"
    dim = 6 * 6 * 3
    input_size = 24

    def embed(self, images: np.ndarray) -> np.ndarray:
        x = images.astype(np.float32).reshape(len(images), 6, 4, 6, 4, 3).mean(axis=(2, 4))
        x = x.reshape(len(images), -1)
        return l2_normalize(x - x.mean(axis=1, keepdims=True))


register(
    ModelInfo(PixelBackbone.name, PixelBackbone.dim, PixelBackbone.input_size, "test"),
    PixelBackbone,
)


@pytest.fixture(scope="session")
def photos_dir(tmp_path_factory) -> Path:
    """Six real photos (JPEG and PNG) plus two resized copies and one crop."""
    root = tmp_path_factory.mktemp("photos")
    for i, name in enumerate(PHOTOS):
        im = skimage_photo(name)
        im.save(root / (f"{name}.jpg" if i % 2 == 0 else f"{name}.png"), quality=92)
    chelsea = skimage_photo("chelsea")
    chelsea.resize((chelsea.width // 2, chelsea.height // 2)).save(root / "chelsea_small.jpg")
    astronaut = skimage_photo("astronaut")
    astronaut.resize((300, 300)).save(root / "astronaut_300.jpg", quality=60)
    rocket = skimage_photo("rocket")
    w, h = rocket.size
    rocket.crop((w // 10, h // 10, w - w // 10, h - h // 10)).save(root / "rocket_crop.jpg")
    return root


def png_with_size(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header claims ``width x height`` (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00\xff\x00\x00")

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.fixture()
def messy_dir(tmp_path) -> Path:
    """Good photos mixed with every kind of bad file a real folder holds."""
    root = tmp_path / "messy"
    (root / "sub dir").mkdir(parents=True)
    good = skimage_photo("coffee")
    good.save(root / "café au lait ☕.jpg")
    skimage_photo("chelsea").save(root / "sub dir" / "chat noir.png")
    skimage_photo("rocket").convert("RGBA").save(root / "rocket.webp")
    data = (root / "café au lait ☕.jpg").read_bytes()
    (root / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (root / "empty.jpg").write_bytes(b"")
    (root / "notes.jpg").write_text("this is not an image\n")
    (root / "bomb.png").write_bytes(png_with_size(30_000, 30_000))
    os.symlink(root, root / "sub dir" / "loop")  # a folder link back to the root
    os.symlink(root / "self.gif", root / "self.gif")  # a file link to itself
    os.mkfifo(root / "pipe.jpg")  # reading it would block forever
    (root / "readme.txt").write_text("ignored: not an image extension")
    return root


@pytest.fixture(scope="session")
def real_col(tmp_path_factory, photos_dir):
    """``photos_dir`` indexed with the real default model (EfficientNet-Lite0)."""
    import lookalike

    col = lookalike.create(tmp_path_factory.mktemp("real") / "col")
    col.index(photos_dir, progress=False)
    return col
