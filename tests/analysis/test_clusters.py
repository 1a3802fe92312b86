"""k-medoids (full FasterPAM and the sampled scheme), the k scan and the elbow rule."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.analysis import find_elbow, k_medoids, scan_k
from lookalike.analysis.clusters import _cosine_distances


def clustered(n: int, dim: int = 32, centres: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, dim))
    x = c[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute_force_deviation(x: np.ndarray, medoids: np.ndarray) -> float:
    return float((1 - x @ x[medoids].T).min(axis=1).clip(min=0).sum())


@pytest.mark.parametrize("max_full", [10_000, 100], ids=["fasterpam", "sampled"])
def test_medoids_are_members_and_labels_cover_every_image(max_full):
    x = clustered(400)
    found = k_medoids(x, 6, random_state=0, max_full=max_full, sample_size=150)
    assert found.method == ("fasterpam" if max_full > 400 else "clara")
    assert len(found.labels) == len(x) and found.labels.min() == 0 and found.labels.max() == 5
    assert len(set(found.medoids.tolist())) == 6
    assert found.labels[found.medoids].tolist() == list(range(6))  # each in its own cluster
    assert found.sizes.sum() == len(x) and (found.sizes > 0).all()
    # Every image sits with its nearest medoid, and the deviation is what it says.
    sims = x @ x[found.medoids].T
    assert np.allclose(sims[np.arange(len(x)), found.labels], sims.max(axis=1), atol=1e-6)
    assert found.total_deviation == pytest.approx(brute_force_deviation(x, found.medoids))


def test_the_sampled_scheme_is_close_to_full_fasterpam():
    x = clustered(1500, centres=12)
    full = k_medoids(x, 10, random_state=0)
    sampled = k_medoids(x, 10, random_state=0, max_full=500, sample_size=400)
    assert sampled.method == "clara"
    assert sampled.total_deviation <= 1.02 * full.total_deviation


def test_same_seed_same_clusters():
    x = clustered(300)
    a, b = (k_medoids(x, 5, random_state=7, max_full=100, sample_size=120) for _ in range(2))
    assert a.medoids.tolist() == b.medoids.tolist()
    assert np.array_equal(a.labels, b.labels)


def test_k_equal_to_n_makes_every_image_a_medoid():
    x = clustered(5)
    found = k_medoids(x, 5)
    assert sorted(found.medoids.tolist()) == [0, 1, 2, 3, 4]
    assert found.total_deviation == 0


def test_distance_matrix_is_cosine_with_zero_diagonal():
    x = clustered(50)
    d = _cosine_distances(x)
    assert d.dtype == np.float32 and np.allclose(np.diag(d), 0)
    assert np.allclose(d, np.clip(1 - x @ x.T, 0, None) * (1 - np.eye(50)), atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"n_clusters": 0},
            r"'n_clusters' parameter of k_medoids must be an int in the range \[1, inf\)\. Got 0",
        ),
        ({"n_clusters": 11}, r"n_clusters=11 should be <= n_images=10\."),
        ({"n_clusters": 2.5}, r"'n_clusters' parameter of k_medoids must be an int"),
    ],
)
def test_bad_k_is_one_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        k_medoids(clustered(10), **kwargs)


def test_empty_input_is_one_clear_error():
    with pytest.raises(ValueError, match="Cannot cluster an empty collection"):
        k_medoids(np.zeros((0, 4), dtype=np.float32), 1)


def test_elbow_of_a_constructed_curve():
    # Steep until k = 4, then nearly flat: the elbow is 4, worked out by hand (normalised
    # distance below the chord: k=4 -> (1 - 3/9) - 13/100 = 0.537, the largest).
    ks = list(range(1, 11))
    inertia = [100, 70, 40, 13, 11, 9, 7, 5, 3, 0]
    assert find_elbow(ks, inertia) == 4
    # Uneven k steps are scaled, not counted: same curve, k = 5, 10, ..., 50.
    assert find_elbow([5 * k for k in ks], inertia) == 20
    assert find_elbow([1, 2, 3, 4], [4, 3, 2, 1]) is None  # a straight line has no elbow


def test_elbow_agrees_with_kneed_where_kneed_finds_one():
    import kneed  # a dev dependency: a missing install fails here, it is never skipped

    ks = np.arange(1, 21)
    inertia = 1000 / ks + 5 * ks
    knee = kneed.KneeLocator(ks, inertia, curve="convex", direction="decreasing").knee
    assert find_elbow(ks, inertia) == knee


def test_elbow_rejects_curves_too_short():
    with pytest.raises(ValueError, match="same length >= 3"):
        find_elbow([1, 2], [2, 1])


def test_scan_finds_the_number_of_planted_clusters():
    x = clustered(240, dim=16, centres=5, seed=3)
    scan = scan_k(x, range(1, 13), random_state=0)
    assert scan.ks.tolist() == list(range(1, 13))
    assert (np.diff(scan.inertia) <= 1e-6).all()  # more medoids never cost more
    assert np.isnan(scan.silhouette[0]) and (scan.silhouette[1:] > -1).all()
    assert scan.elbow == 5
    assert scan.to_frame().shape == (12, 4)


def test_scan_needs_a_curve_and_ks_within_the_collection():
    x = clustered(20)
    with pytest.raises(ValueError, match="at least 3 distinct values"):
        scan_k(x, [2, 3])
    with pytest.raises(ValueError, match=r"max\(ks\)=30 should be <= n_images=20"):
        scan_k(x, [2, 10, 30])
