"""The exact self-join: the pruning bound never changes the answer, only the work."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.models import l2_normalize
from lookalike.search import pairs_above
from lookalike.search._pairs import _bound_rows, _choose_bound, _choose_bound_dims, top_axes


def embedding_like(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """Unit rows with a decaying spectrum and a shared mean (like CNN embeddings), with
    near copies planted at every 10th row (cosine about 0.9-0.99 to the row before)."""
    rng = np.random.default_rng(seed)
    spec = np.arange(1, dim + 1) ** -0.6
    x = rng.normal(size=(n, dim)) * spec + 0.4 * np.sqrt((spec**2).mean())
    x[1::10] = x[0::10][: len(x[1::10])] + rng.normal(size=(len(x[1::10]), dim)) * spec * (
        rng.uniform(0.1, 0.5, size=(len(x[1::10]), 1))
    )
    return l2_normalize(x)


def brute(x: np.ndarray, t: float) -> dict[tuple[int, int], float]:
    s = x @ x.T
    i, j = np.nonzero(np.triu(s >= t, k=1))
    return {(a, b): float(s[a, b]) for a, b in zip(i.tolist(), j.tolist(), strict=True)}


@pytest.mark.parametrize("bound_dims", [0, 4, 16, 32])
@pytest.mark.parametrize("t", [0.2, 0.8, 0.95])
def test_every_pair_above_the_threshold_whatever_the_bound(bound_dims, t):
    x = embedding_like(700, 96)
    i, j, s = pairs_above(x, t, block=128, db_block=300, bound_dims=bound_dims)
    found = dict(zip(zip(i.tolist(), j.tolist(), strict=True), s.tolist(), strict=True))
    truth = brute(x, t)
    assert set(found) == set(truth) and len(found) == len(i)  # each pair once, i < j
    assert all(abs(found[p] - truth[p]) < 1e-5 for p in truth)


def test_the_bound_is_an_upper_bound_of_every_score():
    x = embedding_like(400, 64)
    for k in (1, 8, 32):
        axes = top_axes((x.T @ x).astype(np.float64), k).astype(np.float32)
        np.testing.assert_allclose(axes.T @ axes, np.eye(k), atol=1e-5)
        b = _bound_rows(x, axes)
        assert np.all(b @ b.T >= x @ x.T - 1e-5)


def test_the_bound_is_chosen_from_a_sample_and_dropped_when_it_would_not_pay():
    x = embedding_like(9000, 512)
    k, axes = _choose_bound(x, 0.95)
    assert k in (64, 128) and axes.shape == (512, 256)  # prunes: a small projection
    assert _choose_bound(x, -1.0) == (0, None)  # every pair reaches it: plain product
    assert _choose_bound(x[:1000], 0.95) == (0, None)  # small: plain product
    assert _choose_bound_dims(x[:2048], -1.0, axes) == 0


def test_a_memory_map_is_read_in_blocks_and_gives_the_same_pairs(tmp_path):
    x = embedding_like(9000, 64, seed=3)  # above the size where the bound is tried
    np.save(tmp_path / "x.npy", x)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r")
    i, j, _ = pairs_above(mm, 0.9)
    ref_i, ref_j, _ = pairs_above(x, 0.9, bound_dims=0)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == set(
        zip(ref_i.tolist(), ref_j.tolist(), strict=True)
    )
    assert len(i) >= 800  # the planted copies
