"""Neighbours with the real default model on real photos and their derivatives."""

from __future__ import annotations

import io

import pytest
from matplotlib.figure import Figure

from tests.conftest import skimage_photo


def test_derivatives_are_each_others_nearest_neighbours(real_col, photos_dir):
    for original, derivative in [
        ("chelsea.png", "chelsea_small.jpg"),
        ("astronaut.jpg", "astronaut_300.jpg"),
        ("rocket.png", "rocket_crop.jpg"),
    ]:
        hits = real_col.neighbors(str(photos_dir / original), k=3)
        assert hits[0].uri == str(photos_dir / derivative), str(hits)
        assert hits[0].score > 0.8
        assert hits.scores == sorted(hits.scores, reverse=True)
        assert real_col.image(str(photos_dir / original)).id not in hits.ids  # not itself


def test_outside_query_finds_its_source(real_col, photos_dir, tmp_path):
    query = tmp_path / "coffee rotated.jpg"
    skimage_photo("coffee").rotate(6, expand=False).crop((40, 30, 560, 380)).save(query)
    hits = real_col.neighbors(query=query, k=2)
    assert hits[0].uri == str(photos_dir / "coffee.jpg")
    buf = io.BytesIO()
    skimage_photo("coffee").save(buf, "PNG")
    assert real_col.neighbors(query=buf.getvalue(), k=1)[0].score > 0.95


def test_results_print_and_convert(real_col, photos_dir):
    hits = real_col.neighbors(str(photos_dir / "coffee.jpg"), k=4)
    frame = hits.to_frame()
    assert list(frame.columns) == ["rank", "id", "score", "uri", "copy"] and len(frame) == 4
    text = str(hits)
    assert text.splitlines()[0].startswith("Neighbours of") and hits[0].id in text


def test_k_larger_than_the_collection_returns_everything_else(real_col):
    n = real_col.info().n_ok
    first = real_col.embeddings().ids[0]
    assert len(real_col.neighbors(first, k=100)) == n - 1


def test_show_neighbors_returns_a_figure(real_col, photos_dir, tmp_path):
    fig = real_col.show_neighbors(str(photos_dir / "chelsea.png"), k=4)
    assert isinstance(fig, Figure) and len(fig.axes) == 5
    fig.savefig(tmp_path / "grid.png")
    assert (tmp_path / "grid.png").stat().st_size > 10_000


def test_show_neighbors_draws_a_computed_result(real_col, photos_dir, tmp_path):
    hits = real_col.neighbors(str(photos_dir / "chelsea.png"), k=3)
    fig = real_col.show_neighbors(hits)  # the query is the image the hits are of
    assert len(fig.axes) == 4 and "chelsea" in fig._suptitle.get_text()
    query = tmp_path / "rocket copy.jpg"
    skimage_photo("rocket").save(query)
    found = real_col.neighbors(query=query, k=2)
    fig = real_col.show_neighbors(query=query, result=found)
    assert len(fig.axes) == 3 and "rocket copy" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="give query="):
        real_col.show_neighbors(found)  # a file's neighbours: the file must be given


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image": "abc", "k": 0}, r"The 'k' parameter of Collection.neighbors must be an int"),
        ({"image": "abc", "k": 2.5}, r"Got 2.5 instead"),
        ({"image": None}, "Give exactly one of"),
    ],
)
def test_bad_arguments(real_col, kwargs, match):
    with pytest.raises(ValueError, match=match):
        real_col.neighbors(**kwargs)
