"""The default model and the default threshold on real derivatives of real photos:
copies, resizes, crops, re-compressions, greyscale and borders are found; other photos
are not."""

from __future__ import annotations

import pytest
from PIL import ImageOps

import lookalike
from tests.conftest import skimage_photo

SOURCES = ("chelsea", "coffee", "rocket")
DISTRACTORS = ("astronaut", "motorcycle_left", "hubble_deep_field", "immunohistochemistry")


@pytest.fixture(scope="module")
def col(tmp_path_factory):
    root = tmp_path_factory.mktemp("dups")
    for name in SOURCES:
        im = skimage_photo(name)
        w, h = im.size
        im.save(root / f"{name}.png")
        im.resize((w // 2, h // 2)).save(root / f"{name}__resize.jpg", quality=85)
        im.crop((w // 8, h // 8, w - w // 10, h - h // 10)).save(root / f"{name}__crop.jpg")
        im.save(root / f"{name}__jpeg.jpg", quality=25)
        ImageOps.grayscale(im).save(root / f"{name}__grey.jpg")
        ImageOps.expand(im, border=w // 12, fill=(255, 255, 255)).save(root / f"{name}__b.jpg")
    for name in DISTRACTORS:
        skimage_photo(name).save(root / f"{name}.jpg")
    c = lookalike.create(tmp_path_factory.mktemp("col") / "col")
    c.index(root, progress=False)
    return c


def source_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1].split("__")[0].split(".")[0]


def test_default_threshold_groups_derivatives_and_leaves_distractors_alone(col):
    found = col.duplicates()
    assert found.model == "efficientnet-lite0" and "centre scores" in found.method
    uris = col.images().set_index("id")["uri"]
    groups = [{source_of(uris[i]) for i in g} for g in found.groups]
    assert all(len(g) == 1 for g in groups), groups  # no set mixes two photos
    assert sorted(g.pop() for g in groups) == sorted(SOURCES)
    assert sum(len(g) for g in found.groups) == 6 * len(SOURCES)  # every derivative found


def test_every_copy_scores_above_every_other_pair(col):
    def margin(scoring):
        emb = col.embeddings()
        uris = col.images().set_index("id")["uri"]
        src = [source_of(uris[i]) for i in emb.ids]
        same, diff = [], []
        for a in range(len(src)):
            for b in range(a + 1, len(src)):
                s = col.pair_score(emb.ids[a], emb.ids[b], scoring=scoring)
                (same if src[a] == src[b] else diff).append(s)
        return min(same) - max(diff)

    assert margin("root") > 0  # (how much better than cosine: bench/duplicates_quality.py)
    assert margin("centre") > 0
