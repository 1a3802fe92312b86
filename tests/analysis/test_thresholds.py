"""The automatic duplicate threshold: nearest-neighbour scores, the mixture of copies and
distinct pictures, labels refining it, and synthetic copies."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lookalike.analysis import auto_threshold, neighbour_scores
from lookalike.copies import COPY_KINDS, synthetic_copies, synthetic_copy
from lookalike.search import FlatIndex
from tests.conftest import skimage_photo


def test_neighbour_scores_are_the_k_best_other_rows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    got = neighbour_scores(FlatIndex.from_vectors(x), x, k=5, sample=300, block=64).reshape(300, 5)
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    want = -np.sort(-s, axis=1)[:, :5]
    np.testing.assert_allclose(np.sort(got, axis=1), np.sort(want, axis=1), atol=1e-5)


def _mixture(rng, share, n=3000):
    copies = rng.normal(0.9, 0.04, 300).clip(-1, 0.995)
    n_copy = int(share * n)
    distinct = np.tanh(rng.normal(np.arctanh(0.6), 0.12, n - n_copy))  # a tail towards 1
    pool = np.r_[distinct, rng.normal(0.88, 0.05, n_copy)]
    return copies, pool.clip(-1, 0.995)


@pytest.mark.parametrize("share", [0.05, 0.3, 0.5])
def test_the_threshold_separates_the_mixture_whatever_the_share_of_copies(share):
    copies, pool = _mixture(np.random.default_rng(0), share)
    est = auto_threshold(copies, pool, scoring="centre")
    # distinct pictures: about 0.6 (3 sd: 0.80); copies 0.88 +- 0.05
    assert 0.74 < est.threshold < 0.84, est
    assert abs(est.share_copies - share) < 0.05, est
    assert est.precision > 0.9 and est.recall > 0.85
    # a high quantile of the neighbour scores would land among the copies
    assert np.quantile(pool, 0.99) > 0.9
    assert "expected precision" in str(est) and "centre scores" in str(est)


def test_labelled_different_pairs_raise_the_threshold():
    rng = np.random.default_rng(2)
    copies, pool = _mixture(rng, 0.2)
    plain = auto_threshold(copies, pool)
    hard = rng.normal(0.8, 0.02, 60).clip(-1, 0.99)  # labelled different, yet high scores
    labelled = auto_threshold(
        copies, pool, same_scores=np.array([0.95, 0.97]), different_scores=hard
    )
    assert labelled.threshold > plain.threshold
    assert labelled.n_labels == 62 and "62 labelled pairs" in str(labelled)


def test_too_little_evidence_is_one_clear_error():
    with pytest.raises(ValueError, match="Too little evidence"):
        auto_threshold(np.array([0.9, 0.95]), np.linspace(0, 1, 100))
    with pytest.raises(ValueError, match="looks like copies only"):
        auto_threshold(np.full(50, 0.5), np.full(100, 0.99))


def test_synthetic_copies_of_a_real_photo():
    photo = skimage_photo("chelsea")
    copies = synthetic_copies(photo, np.random.default_rng(0))
    assert sorted(copies) == sorted(COPY_KINDS)
    assert all(c.mode == "RGB" for c in copies.values())
    assert copies["resize"].width < photo.width and copies["crop"].width < photo.width
    single = synthetic_copies(photo, np.random.default_rng(0), ("colour",), stack=0)
    assert single["colour"].size == photo.size
    with pytest.raises(ValueError, match="Unknown copy kind 'blur'"):
        synthetic_copy(Image.new("RGB", (8, 8)), "blur", np.random.default_rng(0))
