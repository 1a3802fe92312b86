"""One pass over the files, with the real model: indexing embeds each picture's centre
view from the decode of its whole picture, so the default duplicate score decodes
nothing (counted), the stored centre vectors are those the separate pass over the
files made before, and images added later get theirs when they are indexed."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import ImageOps

import lookalike
from lookalike import imaging
from lookalike.models import CentreView, get_backbone
from tests.conftest import skimage_photo

MODEL = "efficientnet-lite0"
CENTRE = "efficientnet-lite0-grey-centre"


@pytest.fixture()
def decodes(monkeypatch):
    """The ``min_side`` of every image decode from now on (the real decode runs)."""
    calls: list[int | None] = []
    real = imaging.decode

    def counting(source, **kwargs):
        calls.append(kwargs.get("min_side"))
        return real(source, **kwargs)

    monkeypatch.setattr(imaging, "decode", counting)
    return calls


@pytest.fixture()
def photos(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    # coffee (600x400): one draft size serves both views; astronaut (512x512): the
    # whole picture is decoded at half size, its centre view at full size; a PNG.
    skimage_photo("coffee").save(root / "coffee.jpg", quality=92)
    skimage_photo("astronaut").save(root / "astronaut.jpg", quality=92)
    skimage_photo("chelsea").save(root / "chelsea.png")
    framed = ImageOps.expand(skimage_photo("coffee"), border=60, fill="white")
    framed.save(tmp_path / "coffee_framed.png")  # not reduced: one decode
    return root


def separate_pass(col, ids) -> np.ndarray:
    """The centre vectors as `duplicates` computed them before: a pass of its own."""
    view = CentreView(get_backbone(MODEL))
    uris = col._store.catalog.uris_of(ids)
    inputs = [imaging.load_for_model(u, view.input_size, view="centre")[0] for u in uris]
    return view.embed(np.stack(inputs))


def test_the_default_score_decodes_nothing_after_indexing(tmp_path, photos, decodes):
    col = lookalike.create(tmp_path / "col")
    report = col.index(photos, model=MODEL, progress=False)
    assert report.embedded == report.views_embedded == 3
    # one decode per file for the whole picture; the astronaut's centre view needs a
    # finer draft of the bytes already read
    assert sorted(decodes, key=str) == [224, 224, 224, 320]
    emb, centre = col.embeddings(), col.embeddings(CENTRE)
    assert list(centre.ids) == list(emb.ids) and col.models == [MODEL]
    np.testing.assert_allclose(centre.vectors, separate_pass(col, emb.ids), atol=2e-6)

    decodes.clear()
    found = col.duplicates()
    assert decodes == [] and found.notes == [] and found.method == "exact, centre scores"
    assert col.pair_score(emb.ids[0], emb.ids[1]) < col.pair_score(emb.ids[0], emb.ids[0])
    assert decodes == []

    # incremental: an added image is decoded once, and gets its centre view then
    report = col.add([tmp_path / "coffee_framed.png"], model=MODEL, progress=False)
    assert report.embedded == report.views_embedded == 1 and decodes == [224]
    decodes.clear()
    found = col.duplicates()
    assert decodes == [] and len(col.embeddings(CENTRE)) == 4
    framed = col.image(tmp_path / "coffee_framed.png").id
    coffee = col.image(photos / "coffee.jpg").id
    assert {framed, coffee} in [set(g) for g in found.groups]
    np.testing.assert_allclose(
        col.embeddings(CENTRE).vectors, separate_pass(col, col.embeddings().ids), atol=2e-6
    )
