"""2-D projections, atlas grid snapping, and the top-k overlap of two models."""

from __future__ import annotations

import numpy as np
import pytest

from lookalike.analysis import (
    equalize,
    knn_rows,
    map_coords,
    snap_to_grid,
    topk_overlap,
    unit_square,
)
from tests.analysis.test_clusters import clustered


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_a_map_has_one_point_per_image(method):
    x = clustered(60)
    coords = map_coords(x, method=method, random_state=0)
    assert coords.shape == (60, 2) and np.isfinite(coords).all()
    assert np.array_equal(coords, map_coords(x, method=method, random_state=0))


def test_tiny_collections_still_get_a_map():
    assert map_coords(clustered(2), method="tsne").shape == (2, 2)


def test_unknown_method_and_empty_input_are_one_clear_error():
    with pytest.raises(ValueError, match=r"'method' parameter of map_coords must be one of 'pca'"):
        map_coords(clustered(5), method="mds")
    with pytest.raises(ValueError, match="Cannot map an empty collection"):
        map_coords(np.zeros((0, 3)), method="pca")


def test_snap_to_grid_shows_one_image_per_occupied_cell():
    rng = np.random.default_rng(0)
    coords = rng.standard_normal((20_000, 2))
    rows, cell_xy = snap_to_grid(coords, cells=40)
    assert len(rows) == len(np.unique(cell_xy, axis=0)) <= 1600
    assert len(rows) > 600  # a Gaussian blob fills a good part of the grid
    # Each shown image lies in the cell it is drawn in.
    u = unit_square(coords)[rows]
    assert np.array_equal(np.minimum((u * 40).astype(int), 39), cell_xy)


def test_equalize_keeps_order_and_fills_the_square():
    rng = np.random.default_rng(1)
    coords = np.vstack([rng.normal(0, 0.01, (50, 2)), [[100.0, -100.0]]])  # clump + outlier
    e = equalize(coords)
    assert e.min() == 0 and e.max() == 1
    assert (np.argsort(e[:, 0]) == np.argsort(coords[:, 0])).all()
    assert len(snap_to_grid(e, cells=10)[0]) > len(snap_to_grid(coords, cells=10)[0]) * 5


def test_preferred_rows_win_their_cells_first_one_first():
    coords = np.array([[0.0, 0.0], [0.5, 0.5], [0.45, 0.45], [1.0, 1.0]])
    assert snap_to_grid(coords, cells=1)[0].tolist() == [1]  # nearest the centre
    assert snap_to_grid(coords, cells=1, prefer=[3, 0])[0].tolist() == [3]
    assert snap_to_grid(coords, cells=1, prefer=[0, 3])[0].tolist() == [0]


def test_knn_rows_exclude_the_image_itself_even_among_exact_copies():
    x = np.array([[1, 0], [1, 0], [0, 1.0], [0.6, 0.8]], dtype=np.float32)
    nn = knn_rows(x, 2)
    assert all(i not in row for i, row in enumerate(nn.tolist()))
    assert nn[0, 0] == 1 and nn[1, 0] == 0


def test_overlap_table_sums_to_the_number_of_images():
    a = clustered(200, seed=1)
    rng = np.random.default_rng(2)
    b = a + 0.3 * rng.standard_normal(a.shape).astype(np.float32)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    cmp = topk_overlap(a, b, k=4, model_a="A", model_b="B")
    table = cmp.table
    assert table["shared"].tolist() == [4, 3, 2, 1, 0]
    assert table["images"].sum() == 200
    assert table["percent"].sum() == pytest.approx(100, abs=0.3)
    # Drill down: per-image overlap equals the set intersection of the two lists.
    i = int(np.argmin(cmp.overlap))
    assert len(set(cmp.neighbors_a[i]) & set(cmp.neighbors_b[i])) == cmp.overlap[i]
    assert list(cmp.per_image().columns) == ["id", "shared", "neighbors_A", "neighbors_B"]


def test_a_model_agrees_with_itself_completely():
    a = clustered(50)
    cmp = topk_overlap(a, a.copy(), k=3)
    assert cmp.table["images"].tolist() == [50, 0, 0, 0] and cmp.mean_overlap == 1.0


def test_bad_comparisons_are_one_clear_error():
    a = clustered(5)
    with pytest.raises(ValueError, match=r"k=5 should be < n_images=5"):
        topk_overlap(a, a, k=5)
    with pytest.raises(ValueError, match=r"'k' parameter of topk_overlap must be an int"):
        topk_overlap(a, a, k=0)
    with pytest.raises(ValueError, match="one row per image each"):
        topk_overlap(a, a[:4], k=1)
