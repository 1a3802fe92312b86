"""The default score with the real model (EfficientNet-Lite0) on real photos: a bordered
copy and a rotated copy (black corners) score higher against their original under
"centre" than under "root", and different photos stay below the default threshold,
even when they share a border or black corners."""

from __future__ import annotations

import itertools

import pytest
from PIL import ImageOps

import lookalike
from lookalike.analysis import DEFAULT_THRESHOLD
from tests.conftest import skimage_photo

SOURCES = ("chelsea", "coffee", "rocket", "astronaut")
KINDS = ("border", "rotated")


@pytest.fixture(scope="module")
def col(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    for name in SOURCES:
        im = skimage_photo(name)
        im.save(root / f"{name}.png")
        ImageOps.expand(im, border=im.width // 8, fill=(20, 90, 160)).save(
            root / f"{name}__border.jpg", quality=90
        )
        im.rotate(8, expand=True).save(root / f"{name}__rotated.jpg", quality=90)
    c = lookalike.create(tmp_path_factory.mktemp("col") / "col")
    c.index(root, progress=False)
    return c


def image_id(col, stem: str) -> str:
    uris = col.images().set_index("uri")["id"]
    return next(i for u, i in uris.items() if u.rsplit("/", 1)[-1].split(".")[0] == stem)


@pytest.mark.parametrize("kind", KINDS)
def test_copies_score_higher_under_centre_than_under_root(col, kind):
    for name in SOURCES:
        a, b = image_id(col, name), image_id(col, f"{name}__{kind}")
        centre, root = col.pair_score(a, b), col.pair_score(a, b, scoring="root")
        assert centre > root + 0.01 and centre > 0.85, (name, centre, root)


@pytest.mark.parametrize("suffix", ["", "__border", "__rotated"])
def test_different_photos_stay_below_the_threshold(col, suffix):
    for x, y in itertools.combinations(SOURCES, 2):
        score = col.pair_score(image_id(col, x + suffix), image_id(col, y + suffix))
        assert score < DEFAULT_THRESHOLD, (x, y, suffix, score)


def test_the_default_sets_are_the_three_copies_of_each_photo(col):
    found = col.duplicates()
    assert found.method == "exact, centre scores" and len(found.notes) == 1
    assert found.notes[0].startswith("geometric check of")
    uris = col.images().set_index("id")["uri"]
    sets = [
        {uris[i].rsplit("/", 1)[-1].split("__")[0].split(".")[0] for i in g} for g in found.groups
    ]
    assert sorted(s.pop() for s in sets if len(s) == 1) == sorted(SOURCES)
    assert [len(g) for g in found.groups] == [3] * len(SOURCES)
