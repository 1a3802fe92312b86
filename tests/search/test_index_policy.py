"""The one index policy: which kind ``search.choose_index`` builds for which task and
size (tiny thresholds passed in, not big data), and that every kind it builds answers."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.errors import ParameterError
from lookalike.models import l2_normalize
from lookalike.search import FaissIndex, FaissIVFIndex, FlatIndex, choose_index, ivf_settings


@pytest.fixture(scope="module")
def x() -> np.ndarray:
    return l2_normalize(np.random.default_rng(0).normal(size=(400, 32)))


def kind(index) -> str:
    return f"{type(index).__name__}:{getattr(index, 'kind', '')}"


def test_each_task_is_exact_up_to_its_threshold_and_approximate_above(x):
    chosen = {
        (task, limit): kind(choose_index(x, task=task, exact_max=limit))
        for task in ("graph", "pairs")
        for limit in (len(x), len(x) - 1)
    }
    assert chosen == {
        ("graph", 400): "FaissIndex:flat",
        ("graph", 399): "FaissIndex:hnsw-sq",
        ("pairs", 400): "FlatIndex:",
        ("pairs", 399): "FaissIVFIndex:ivf",
    }
    # the default thresholds are far above 400 vectors; "neighbors" has none at all
    assert [kind(choose_index(x, task=t)) for t in ("neighbors", "graph", "pairs")] == [
        "FlatIndex:",
        "FaissIndex:flat",
        "FlatIndex:",
    ]


def test_exact_forces_the_kind_whatever_the_size(x):
    assert kind(choose_index(x, task="graph", exact=True, exact_max=0)) == "FaissIndex:flat"
    assert kind(choose_index(x, task="graph", exact=False)) == "FaissIndex:hnsw-sq"
    assert kind(choose_index(x, task="pairs", exact=False)) == "FaissIVFIndex:ivf"


def test_the_approximate_kinds_carry_the_policy_settings(x):
    hnsw = choose_index(x, task="graph", exact=False).faiss_index
    assert (hnsw.hnsw.efSearch, hnsw.hnsw.efConstruction) == (48, 48)
    ivf = choose_index(x, task="pairs", exact=False)
    assert isinstance(ivf, FaissIVFIndex)
    assert (ivf.nlist, ivf.pca) == tuple(ivf_settings(len(x)).values())
    assert choose_index(x, task="pairs", exact=False, nlist=4).nlist == 4  # options win


@pytest.mark.parametrize(
    ("task", "exact"),
    [("neighbors", True), ("graph", True), ("graph", False), ("pairs", True), ("pairs", False)],
)
def test_every_chosen_index_holds_every_vector_and_finds_it(x, task, exact, tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, x)
    mm = np.load(path, mmap_mode="r")  # the store hands search a memory map
    index = choose_index(mm, task=task, exact=exact)
    assert index.ntotal == len(x) and index.dim == x.shape[1]
    _, ids = index.search(x[:50], 1)
    assert ids[:, 0].tolist() == list(range(50))


def test_bad_requests_fail_with_one_clear_message(x):
    with pytest.raises(ValueError, match="'neighbors' has no approximate index"):
        choose_index(x, task="neighbors", exact=False)
    with pytest.raises(ValueError, match="'neighbors' has no approximate index"):
        choose_index(x, task="neighbors", exact_max=10)
    with pytest.raises(ParameterError, match="'task' parameter of choose_index"):
        choose_index(x, task="clusters")
    with pytest.raises(ParameterError, match="'exact_max' parameter of choose_index"):
        choose_index(x, task="graph", exact_max=-1)


def test_an_empty_collection_gets_an_empty_exact_index():
    empty = np.zeros((0, 8), np.float32)
    assert isinstance(choose_index(empty), FlatIndex)
    assert isinstance(choose_index(empty, task="graph"), FaissIndex)
    assert choose_index(empty, task="pairs").ntotal == 0
