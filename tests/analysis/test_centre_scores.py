"""The "centre" score: the mean of the root scores of two views, as the cosine of one
lazy (n, 2 * dim) row view, through every search path; and the aligned row view that
stands the whole vector in for a missing centre view."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.analysis import (
    RootVectors,
    TwoViewVectors,
    near_duplicates,
    pair_scores,
    scored_vectors,
)
from lookalike.models import l2_normalize
from lookalike.pipeline.views import AlignedRows
from lookalike.search import choose_index


@pytest.fixture()
def views(tmp_path):
    """200 unit vectors (a memory map), 50 pairs of them near copies, and their 'centre
    views': other unit vectors near them."""
    rng = np.random.default_rng(0)
    whole = rng.normal(size=(200, 16))
    whole[1:100:2] = whole[0:100:2] + rng.normal(scale=0.1, size=(50, 16))
    whole = l2_normalize(whole)
    np.save(tmp_path / "w.npy", whole)
    centre = l2_normalize(whole + rng.normal(scale=0.1, size=whole.shape))
    return np.load(tmp_path / "w.npy", mmap_mode="r"), centre


def test_the_centre_score_is_the_mean_of_the_two_root_scores(views):
    whole, centre = views
    v = scored_vectors(whole, "centre", centre)
    assert isinstance(v, TwoViewVectors) and v.shape == (200, 32) and len(v) == 200
    assert isinstance(v.whole.base, np.memmap)  # kept lazy: no copy of the memory map
    i, j = np.triu_indices(200, k=1)
    expected = (pair_scores(RootVectors(whole), i, j) + pair_scores(RootVectors(centre), i, j)) / 2
    np.testing.assert_allclose(pair_scores(v, i, j), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(np.asarray(v), axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(v[5], np.asarray(v)[5], atol=0)
    # with the whole vectors standing in for the centre views: the root score
    same = scored_vectors(whole, "centre", whole)
    root = pair_scores(RootVectors(whole), i, j)
    np.testing.assert_allclose(pair_scores(same, i, j), root, rtol=0, atol=1e-6)


def test_exact_and_approximate_search_find_the_same_pairs(views):
    whole, centre = views
    ids = [f"im{k}" for k in range(200)]
    v = scored_vectors(whole, "centre", centre)
    flat, ivf = choose_index(v, task="pairs"), choose_index(v, task="pairs", exact=False)
    exact = near_duplicates(flat, v, ids, threshold=0.9, notes=["n"])
    approx = near_duplicates(ivf, v, ids, threshold=0.9)
    assert exact.method == "exact, centre scores" and exact.notes == ["n"] and len(exact) >= 30
    assert approx.method.startswith("approximate") and approx.method.endswith("centre scores")
    assert set(map(tuple, approx.pairs[["a", "b"]].values)) <= set(
        map(tuple, exact.pairs[["a", "b"]].values)
    )
    assert approx.recall is not None and approx.recall >= 0.9


def test_the_centre_score_needs_aligned_centre_views(views):
    whole, centre = views
    with pytest.raises(ValueError, match=r"scoring='centre' needs the centre-view vectors"):
        scored_vectors(whole, "centre")
    with pytest.raises(ValueError, match=r"must be aligned row by row"):
        TwoViewVectors(whole, centre[:10])


def test_aligned_rows_gather_lazily_and_fall_back_to_the_whole_vector():
    stored = np.arange(12, dtype=np.float32).reshape(4, 3)  # centre views of 4 images
    whole = -np.ones((5, 3), dtype=np.float32)
    rows = np.array([3, -1, 0, 1, 2])  # image 1 has none
    v = AlignedRows(stored, rows, whole)
    expected = np.stack([stored[3], whole[1], stored[0], stored[1], stored[2]])
    assert v.shape == (5, 3) and len(v) == 5
    np.testing.assert_array_equal(np.asarray(v), expected)
    np.testing.assert_array_equal(v[1:3], expected[1:3])
    np.testing.assert_array_equal(v[np.array([4, 1])], expected[[4, 1]])
    np.testing.assert_array_equal(v[1], whole[1])
    np.testing.assert_array_equal(v[0], stored[3])
