"""One conformance suite for every KnnIndex (after sklearn's parametrize_with_checks)."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.models import l2_normalize
from lookalike.search import FaissIndex, FlatIndex, KnnIndex

FACTORIES = {
    "flat-numpy": lambda d, m: FlatIndex(d, metric=m, query_block=7, db_block=50),
    "faiss-flat": lambda d, m: FaissIndex(d, metric=m),
    "faiss-ivf": lambda d, m: FaissIndex(d, metric=m, kind="ivf", nlist=8, nprobe=8),
    "faiss-hnsw": lambda d, m: FaissIndex(d, metric=m, kind="hnsw"),
    "faiss-hnsw-sq": lambda d, m: FaissIndex(d, metric=m, kind="hnsw-sq"),
}
EXACT = {"flat-numpy", "faiss-flat", "faiss-ivf"}  # IVF with nprobe == nlist is exhaustive
MIN_RECALL = {"faiss-hnsw": 0.95, "faiss-hnsw-sq": 0.9}


def brute_force(xb, xq, k, metric):
    s = xq @ xb.T if metric == "cosine" else -((xq[:, None, :] - xb[None]) ** 2).sum(-1)
    return np.argsort(-s, axis=1, kind="stable")[:, :k], s


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return l2_normalize(rng.normal(size=(400, 16))), l2_normalize(rng.normal(size=(30, 16)))


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("metric", ["cosine", "l2"])
def test_search_matches_brute_force(name, metric, data):
    xb, xq = data
    index: KnnIndex = FACTORIES[name](16, metric)
    index.add(xb[:250])
    index.add(xb[250:])
    assert index.ntotal == 400
    scores, ids = index.search(xq, 5)
    assert scores.shape == ids.shape == (30, 5)
    assert scores.dtype == np.float32 and ids.dtype == np.int64
    truth, s = brute_force(xb, xq, 5, metric)
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(ids, truth, strict=True)])
    assert recall >= (1.0 if name in EXACT else MIN_RECALL[name])
    if name in EXACT:
        expected = np.take_along_axis(s, truth, 1)
        np.testing.assert_allclose(scores, expected if metric == "cosine" else -expected, atol=1e-4)


@pytest.mark.parametrize("name", sorted(EXACT))
def test_range_search_finds_every_pair_above_the_threshold(name, data):
    xb, xq = data
    index = FACTORIES[name](16, "cosine")
    index.add(xb)
    lims, scores, ids = index.range_search(xq, 0.5)
    s = xq @ xb.T
    assert lims.shape == (31,) and lims[-1] == len(scores) == len(ids)
    for q in range(30):
        got = ids[lims[q] : lims[q + 1]]
        assert set(got.tolist()) == set(np.nonzero(s[q] >= 0.5)[0].tolist())
        assert np.all(np.diff(scores[lims[q] : lims[q + 1]]) <= 1e-6)  # best first


def test_missing_hits_are_minus_one():
    index = FlatIndex(2)
    index.add(np.array([[1.0, 0.0]]))
    scores, ids = index.search(np.array([[1.0, 0.0]]), 3)
    assert ids.tolist() == [[0, -1, -1]]
    assert scores[0, 0] == pytest.approx(1.0)


def test_flat_index_wraps_a_memory_map_without_copying(tmp_path):
    x = l2_normalize(np.random.default_rng(1).normal(size=(20, 4)))
    np.save(tmp_path / "x.npy", x)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r")
    index = FlatIndex.from_vectors(mm)
    assert index.ntotal == 20 and index.search(x[:1], 1)[1][0, 0] == 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda i: i.add(np.ones((2, 3))), "vectors has dim=3, the index has dim=4"),
        (lambda i: i.search(np.ones((1, 4)), 0), "'k' parameter of search"),
        (lambda i: i.search(np.ones((2, 2, 4)), 1), "queries must be a 2-D array"),
    ],
)
def test_bad_input_gives_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call(FlatIndex(4))


def test_unknown_metric_and_kind():
    with pytest.raises(ValueError, match="'metric' parameter of FlatIndex"):
        FlatIndex(4, metric="dot")
    with pytest.raises(ValueError, match="'kind' parameter of FaissIndex"):
        FaissIndex(4, kind="lsh")
