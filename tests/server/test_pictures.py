"""The IIIF pictures made through libvips look like those made through Pillow (the
indexing decoder), whatever the file's mode: palette, alpha, 16-bit grey, CMYK,
animated GIF; EXIF-rotated and CMYK JPEGs take Pillow's path."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import lookalike
from lookalike.server.iiif import parse_request
from lookalike.server.pictures import PictureService, _vips_region
from tests.conftest import skimage_photo


def _files(root):
    photo = skimage_photo("coffee").resize((600, 400))
    photo.save(root / "rgb.jpg", quality=95)
    photo.convert("P", palette=Image.Palette.ADAPTIVE).save(root / "palette.png")
    rgba = photo.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(photo.size))
    rgba.save(root / "alpha.png")
    grey = (np.asarray(photo.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    Image.fromarray(grey).save(root / "grey16.png")
    photo.convert("CMYK").save(root / "cmyk.jpg", quality=95)
    frames = [photo.convert("P"), photo.rotate(180).convert("P")]
    frames[0].save(root / "anim.gif", save_all=True, append_images=frames[1:])
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    photo.save(root / "rotated.jpg", quality=95, exif=exif)


@pytest.fixture(scope="module")
def picture_col(tmp_path_factory):
    root = tmp_path_factory.mktemp("modes")
    _files(root)
    col = lookalike.create(tmp_path_factory.mktemp("modes-col") / "col")
    col.index(root, model="test-pixels", progress=False)
    return col


@pytest.mark.parametrize(
    "name",
    ["rgb.jpg", "palette.png", "alpha.png", "grey16.png", "cmyk.jpg", "anim.gif", "rotated.jpg"],
)
@pytest.mark.parametrize(
    ("region", "size"), [("full", "200,"), ("100,50,300,200", "150,"), ("square", "!64,64")]
)
def test_vips_and_pillow_pictures_agree(picture_col, name, region, size):
    row = next(
        r for r in map(picture_col.image, picture_col.images()["id"]) if r.uri.endswith(name)
    )
    request = parse_request(region, size, "0", "default", "png", width=row.width, height=row.height)
    took_vips = _vips_region(row, request) is not None
    assert took_vips == (name not in ("rotated.jpg", "cmyk.jpg"))  # those take Pillow's path
    service = PictureService(None, cache_max_side=0)
    fast = Image.open(io.BytesIO(service.make(row, request))).convert("RGB")
    slow = Image.open(io.BytesIO(service._render_pillow(row, request))).convert("RGB")
    assert fast.size == slow.size == request.size
    diff = np.abs(np.asarray(fast, np.int16) - np.asarray(slow, np.int16))
    assert diff.mean() < 3, f"{name}: mean difference {diff.mean():.1f}"
