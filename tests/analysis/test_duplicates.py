"""Near-duplicate pairs, groups, exact duplicates, keep policies and calibration on tiny
data whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.analysis import (
    Pairs,
    calibrate,
    exact_duplicate_sets,
    group_pairs,
    near_duplicate_pairs,
    plan_dedup,
    sample_band_pairs,
)
from lookalike.models import l2_normalize
from lookalike.search import FaissIVFIndex, FlatIndex


@pytest.fixture(scope="module")
def planted():
    """300 random unit vectors with 40 planted near copies (cosine 0.95-0.99)."""
    rng = np.random.default_rng(1)
    x = l2_normalize(rng.normal(size=(300, 32)))
    src, dst = np.arange(0, 80, 2), np.arange(1, 80, 2)
    noise = l2_normalize(rng.normal(size=(40, 32)))
    c = rng.uniform(0.95, 0.99, size=(40, 1))
    noise = l2_normalize(noise - (noise * x[src]).sum(1, keepdims=True) * x[src])
    x[dst] = c * x[src] + np.sqrt(1 - c**2) * noise
    return x.astype(np.float32), set(zip(src.tolist(), dst.tolist(), strict=True))


def brute_pairs(x, t):
    s = x @ x.T
    i, j = np.nonzero(np.triu(s >= t, k=1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


@pytest.mark.parametrize(("block", "db_block"), [(7, 13), (64, 64), (1000, 1000)])
def test_blockwise_pairs_equal_brute_force(planted, block, db_block):
    x, _ = planted
    for t in (0.3, 0.9):
        p = near_duplicate_pairs(x, threshold=t, block=block, db_block=db_block)
        assert set(zip(p.i.tolist(), p.j.tolist(), strict=True)) == brute_pairs(x, t)
        assert np.all(p.i < p.j) and np.all(np.diff(p.score) <= 0)
        np.testing.assert_allclose(p.score, np.einsum("ij,ij->i", x[p.i], x[p.j]), atol=1e-5)


def test_pairs_from_an_index_are_rescored_exactly(planted):
    x, truth = planted
    for index in (FlatIndex.from_vectors(x), FaissIVFIndex(32, pca=16, nlist=4, nprobe=4)):
        if index.ntotal == 0:
            index.add(x)
        p = near_duplicate_pairs(x, threshold=0.94, index=index, candidate_threshold=0.8)
        assert set(zip(p.i.tolist(), p.j.tolist(), strict=True)) == truth
        np.testing.assert_allclose(p.score, np.einsum("ij,ij->i", x[p.i], x[p.j]), atol=1e-5)


def test_no_pairs_above_a_high_threshold():
    x = np.eye(3, dtype=np.float32)
    assert len(near_duplicate_pairs(x, threshold=0.5)) == 0
    assert group_pairs(3, near_duplicate_pairs(x, threshold=0.5)) == []


def test_strict_groups_break_a_chain_of_weak_links():
    # 12 points 6 degrees apart on a circle: each pair of neighbours is at cosine 0.995,
    # the ends are 66 degrees apart. Components glue all 12; strict groups do not.
    a = np.radians(np.arange(12) * 6.0)
    x = np.stack([np.cos(a), np.sin(a)], 1).astype(np.float32)
    pairs = near_duplicate_pairs(x, threshold=0.99)
    assert group_pairs(12, pairs) == [list(range(12))]
    strict = group_pairs(12, pairs, strict=True, vectors=x, threshold=0.99)
    assert len(strict) > 1
    for g in strict:
        sims = x[g] @ x[g].T
        medoid = int(np.argmax(sims.sum(1)))
        assert sims[medoid].min() >= 0.99 - 1e-6
    with pytest.raises(ValueError, match="strict grouping needs 'vectors' and 'threshold'"):
        group_pairs(12, pairs, strict=True)


def test_exact_duplicate_sets_by_file_and_by_pixels():
    sets = exact_duplicate_sets(["f1", "f1", "f2", "f3", None], ["p1", "p1", "p2", "p2", None])
    assert sets == [([0, 1], "file"), ([2, 3], "pixels")]


IMAGES = [
    dict(id="a", uri="/p/b.jpg", width=100, height=100, bytes=900, mtime=30.0),
    dict(id="b", uri="/p/a.jpg", width=200, height=200, bytes=500, mtime=20.0),
    dict(id="c", uri="/p/c.png", width=50, height=50, bytes=2000, mtime=10.0),
    dict(id="d", uri="/p/d.jpg", width=10, height=10, bytes=10, mtime=5.0),
]


@pytest.mark.parametrize(
    ("keep", "kept"),
    [("largest", "b"), ("largest-file", "c"), ("oldest", "c"), ("first-path", "b")],
)
def test_keep_policies(keep, kept):
    plan = plan_dedup([["a", "b", "c"]], IMAGES, keep=keep)
    assert sorted(plan) == sorted([kept, "d"])
    assert sorted(plan.removed) == sorted({"a", "b", "c"} - {kept})
    frame = plan.to_frame()
    assert set(frame["decision"]) == {"keep", "remove"}
    assert (frame.loc[frame["decision"] == "remove", "kept_id"] == kept).all()


def test_keep_list_keeps_the_listed_members_else_the_first_path():
    plan = plan_dedup([["a", "b"], ["c", "d"]], IMAGES, keep="list", keep_ids={"a"})
    assert plan.removed == ["b", "d"]
    assert "none in the keep list" in plan.to_frame()["reason"].iloc[2]


def test_calibration_maximises_f1_and_meets_a_target_precision():
    scores = np.array([0.99, 0.98, 0.95, 0.93, 0.92, 0.80, 0.70])
    same = np.array([1, 1, 1, 0, 1, 0, 0], dtype=bool)
    best = calibrate(scores, same)
    assert best.threshold == pytest.approx(0.86)  # between 0.92 (kept) and 0.80
    assert (best.precision, best.recall) == (0.8, 1.0)
    strict = calibrate(scores, same, target_precision=1.0)
    assert strict.threshold == pytest.approx(0.94)
    assert (strict.precision, strict.recall) == (1.0, 0.75)
    with pytest.raises(ValueError, match="No threshold reaches precision 1"):
        calibrate(np.array([0.9, 0.9]), np.array([True, False]), target_precision=1.0)
    with pytest.raises(ValueError, match="needs pairs labelled 'same' and 'different'"):
        calibrate(np.array([0.9]), np.array([True]))


def test_band_sampling_puts_each_pair_in_its_band(planted):
    x, _ = planted
    for lo, hi, p in sample_band_pairs(FlatIndex.from_vectors(x), x, (0.2, 0.5, 0.9), per_band=5):
        assert len(p) <= 5
        assert np.all((p.score >= lo - 1e-6) & (p.score <= hi + 1e-6))
    assert isinstance(p, Pairs) and len(p) == 5  # 40 planted pairs above 0.9
