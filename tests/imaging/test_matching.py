"""The geometric check behind duplicates (lookalike.matching), on real photos: a copy
maps inside its original, two overlapping views of one photo only in part, and pictures
without texture give no verdict."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from lookalike.matching import MIN_SHARE, Geometry, geometry, keypoints
from tests.conftest import skimage_photo


def _views(name: str) -> dict[str, Image.Image]:
    im = skimage_photo(name)
    w, h = im.size
    return {
        "photo": im,
        "crop": im.crop((w // 10, h // 10, w - w // 10, h - h // 10)),
        "grey half size": ImageOps.grayscale(im).resize((w // 2, h // 2)),
        "rotated": im.rotate(6, expand=True, fillcolor=(0, 0, 0)),
        "left": im.crop((0, 0, int(0.7 * w), h)),
        "right": im.crop((int(0.3 * w), 0, w, h)),
    }


@pytest.mark.parametrize("name", ["astronaut", "coffee", "rocket"])
def test_copies_map_inside_their_original(name):
    v = {k: keypoints(im) for k, im in _views(name).items()}
    for copy in ("crop", "grey half size", "rotated"):
        g = geometry(v["photo"], v[copy])
        assert g.copy and not g.partial and g.share >= MIN_SHARE, (copy, g)
    assert geometry(v["crop"], v["grey half size"]).copy  # a copy of a copy too


@pytest.mark.parametrize("name", ["astronaut", "coffee", "rocket"])
def test_overlapping_views_of_one_photo_are_partial(name):
    views = _views(name)
    g = geometry(keypoints(views["left"]), keypoints(views["right"]))
    # they share 4/7 of each frame: many matches, one homography, neither inside
    assert g.partial and not g.copy and 0.4 < g.share < MIN_SHARE, g


def test_unrelated_photos_and_flat_pictures_give_no_verdict():
    photo, other = keypoints(skimage_photo("astronaut")), keypoints(skimage_photo("coffee"))
    assert not geometry(photo, other).evidence
    ramp = Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (200, 1)))
    flat = keypoints(ramp)
    assert len(flat) < 10 and geometry(flat, keypoints(ramp.resize((128, 100)))) == Geometry()
