"""The automatic duplicate threshold of a small real collection (the default model):
synthetic copies of its own photos and its nearest-neighbour scores, no labels; labels
refine it; the figure of both distributions."""

from __future__ import annotations

import pytest

import lookalike

COPIES = {("chelsea", "chelsea_small"), ("astronaut", "astronaut_300"), ("rocket", "rocket_crop")}


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir):
    c = lookalike.create(tmp_path_factory.mktemp("auto") / "col")
    c.index(photos_dir, progress=False)
    return c


def stem(uri: str) -> str:
    return uri.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def test_auto_threshold_finds_the_copies_and_nothing_else(col, tmp_path):
    est = col.auto_threshold()
    assert 0.6 < est.threshold < 0.97, est
    assert len(est.copies) == 9 * 5 and len(est.neighbours) == 9 * 8
    assert 0 < est.precision <= 1 and 0 < est.recall <= 1
    found = col.duplicates(threshold="auto")
    assert found.threshold == est.threshold  # same seed, same sample
    assert any(n.startswith("threshold ") and "automatic" in n for n in found.notes)
    pairs = {
        tuple(sorted((stem(a), stem(b))))
        for a, b in zip(found.pairs["uri_a"], found.pairs["uri_b"], strict=True)
    }
    assert pairs == {tuple(sorted(p)) for p in COPIES}, (pairs, est)
    col.show_auto_threshold(est).savefig(tmp_path / "scores.png")
    assert (tmp_path / "scores.png").stat().st_size > 10_000


def test_labels_refine_it(col):
    plain = col.auto_threshold(sample=6, scoring="root")
    images = col.images().set_index("uri")["id"]
    by_stem = {stem(u): i for u, i in images.items()}
    # a "different" pair that scores high: the labels lift the distinct pictures' tail
    col.label_pairs([(by_stem["chelsea"], by_stem["chelsea_small"], False)])
    labelled = col.auto_threshold(sample=6, scoring="root")
    assert labelled.n_labels == 1 and "1 labelled pairs" in str(labelled)
    assert labelled.threshold > plain.threshold


def test_bad_input_is_one_clear_error(col):
    with pytest.raises(ValueError, match=r"'scoring' parameter of Collection\.auto_threshold"):
        col.auto_threshold(scoring="mean")
    with pytest.raises(ValueError, match=r"'threshold' parameter of Collection\.duplicates"):
        col.duplicates(threshold="automatic")
