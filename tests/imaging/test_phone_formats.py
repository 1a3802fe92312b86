"""HEIC/HEIF (pillow-heif) and AVIF (Pillow's plugin), what phones write: decoded like
any photo, indexed from a folder, embedded like the original; bad ones get one line."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import lookalike
from lookalike import imaging
from lookalike.errors import ImageDecodeError
from tests.conftest import skimage_photo

FORMATS = {"HEIF": ".heic", "AVIF": ".avif"}


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, quality=85, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return skimage_photo("chelsea").resize((225, 150))


@pytest.mark.parametrize("fmt", FORMATS)
def test_phone_formats_decode_to_the_picture(photo, fmt):
    out = imaging.decode(encode(photo, fmt))
    assert out.format == fmt and out.image.mode == "RGB"
    assert (out.width, out.height) == out.image.size == photo.size
    diff = np.abs(np.asarray(out.image, np.float32) - np.asarray(photo, np.float32))
    assert diff.mean() < 6  # lossy, but the same picture


@pytest.mark.parametrize("fmt", FORMATS)
def test_exif_orientation_of_phone_formats_is_applied(photo, fmt):
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone held upright: rotate 90 degrees
    out = imaging.decode(encode(photo, fmt, exif=exif.tobytes()))
    assert out.image.size == (out.width, out.height) == (photo.height, photo.width)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_phone_files_get_one_line(photo, fmt):
    data = encode(photo, fmt)
    for bad in (data[: len(data) // 2], data[:40], data[:12] + b"\0" * 200):
        with pytest.raises(ImageDecodeError) as err:
            imaging.decode(bad)
        reason = str(err.value)
        assert reason.startswith(("corrupt image", "not an image")) and "\n" not in reason


def test_a_phone_folder_is_indexed_and_each_copy_embeds_like_its_original(tmp_path):
    """With the default (learned) model: the HEIC and AVIF copies of a photo are its
    nearest neighbours, with cosine > 0.95."""
    folder = tmp_path / "phone"
    folder.mkdir()
    names = ("chelsea", "coffee", "rocket", "astronaut")
    for name in names:
        im = skimage_photo(name).resize((256, 192))
        im.save(folder / f"{name}.png")
        for fmt, ext in FORMATS.items():
            (folder / f"{name}{ext}").write_bytes(encode(im, fmt))
    (folder / "broken.heic").write_bytes(encode(skimage_photo("coffee"), "HEIF")[:3000])
    col = lookalike.create(tmp_path / "col")
    report = col.index(folder, progress=False)
    assert (report.added, report.skipped) == (3 * len(names), []), str(report)
    assert [(uri.rsplit("/", 1)[1], reason.split(":")[0]) for uri, reason in report.failed] == [
        ("broken.heic", "corrupt image")
    ]
    emb = col.embeddings()
    pos = {col.image(i).uri.rsplit("/", 1)[1]: p for p, i in enumerate(emb.ids)}
    for name in names:
        original = emb.vectors[pos[f"{name}.png"]]
        for ext in FORMATS.values():
            copy = emb.vectors[pos[f"{name}{ext}"]]
            assert float(original @ copy) > 0.95, (name, ext)
            others = [emb.vectors[pos[f"{o}.png"]] for o in names if o != name]
            assert float(original @ copy) > max(float(original @ v) for v in others) + 0.1
        heic = col.image(str(folder / f"{name}.heic"))
        assert heic.metadata["format"] == "HEIF" and (heic.width, heic.height) == (256, 192)
        assert col.thumbnail(heic.id, 64).size == (64, 48)
