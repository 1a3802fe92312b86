"""The automatic index choice and the recall harness."""

from __future__ import annotations

import itertools

import numpy as np

from lookalike.models import l2_normalize
from lookalike.search import FaissIVFIndex, FlatIndex, choose_index, range_recall


def test_the_pairs_index_is_exact_for_small_collections_and_ivf_when_asked():
    x = l2_normalize(np.random.default_rng(0).normal(size=(2000, 64)))
    assert isinstance(choose_index(x, task="pairs"), FlatIndex)
    ivf = choose_index(x, task="pairs", exact=False, pca=32, nprobe=8)
    assert isinstance(ivf, FaissIVFIndex) and ivf.ntotal == 2000
    _scores, ids = ivf.search(x[:5], 1)
    assert ids[:, 0].tolist() == [0, 1, 2, 3, 4]  # a vector finds itself
    lims, s, _ = ivf.range_search(x[:5], 0.5)
    assert lims.dtype == np.int64 and all(
        np.all(np.diff(s[a:b]) <= 0) for a, b in itertools.pairwise(lims)
    )


def test_range_recall_is_one_for_exact_and_measured_for_ivf():
    rng = np.random.default_rng(0)
    x = l2_normalize(rng.normal(size=(3000, 64)))
    x[1::2] = l2_normalize(x[0::2] + 0.2 * l2_normalize(rng.normal(size=(1500, 64))))
    assert range_recall(FlatIndex.from_vectors(x), x, 0.9, sample=200) == 1.0
    # nprobe = nlist visits every cell: exhaustive
    ivf = choose_index(x, task="pairs", exact=False, pca=64, nlist=16, nprobe=16)
    assert range_recall(ivf, x, 0.9, candidate_threshold=0.85, sample=200) == 1.0
    coarse = choose_index(x, task="pairs", exact=False, pca=64, nlist=64, nprobe=1)
    assert 0.5 < range_recall(coarse, x, 0.9, sample=300) <= 1.0
