"""What a REPL, a notebook and a figure show of the results: short reprs, HTML tables,
images named by file name (not hash ids), graph thumbnails that never overlap, atlases
where every image is visible and every mark explained. Real photos, the real model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.image import AxesImage

import lookalike


@pytest.fixture(scope="module")
def results(real_col, photos_dir):
    col = real_col
    chelsea, rocket = str(photos_dir / "chelsea.png"), str(photos_dir / "rocket_crop.jpg")
    emb = col.embeddings()
    return {
        "Neighbors": col.neighbors(chelsea, k=4),
        "Duplicates": col.duplicates(0.5),
        "ImagePath": col.path(chelsea, rocket, k=3),
        "Clusters": col.clusters(3),
        "Projection": col.map("pca"),
        "DedupPlan": col.dedup(0.5),
        "GraphStats": lookalike.graph_stats(col.graph(chelsea, depth=2, k=3)),
        "ModelComparison": lookalike.analysis.topk_overlap(emb.vectors, emb.vectors[:, ::-1], k=2),
        "KScan": col.scan_k(range(2, 6)),
        "Calibration": lookalike.analysis.calibrate(
            np.array([0.99, 0.9, 0.5, 0.2]), np.array([True, True, False, False])
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "Neighbors",
        "Duplicates",
        "ImagePath",
        "Clusters",
        "Projection",
        "DedupPlan",
        "GraphStats",
        "ModelComparison",
        "KScan",
        "Calibration",
    ],
)
def test_every_result_has_a_short_repr_an_html_table_and_a_frame(results, name):
    result = results[name]
    assert type(result).__name__ == name
    text = repr(result)
    lines = text.splitlines()
    assert 1 <= len(lines) <= 10, text
    assert "hits=(" not in text and "array(" not in text and f"{name}(" not in text
    html = result._repr_html_()
    assert html.startswith("<div>") and "<table>" in html
    assert len(result.to_frame()) >= 1


def test_reprs_name_images_by_file_and_mark_copies(results, photos_dir):
    hits = repr(results["Neighbors"])
    assert "chelsea_small.jpg" in hits and "Neighbours of chelsea.png" in hits
    assert "chelsea_small.jpg" in results["Neighbors"]._repr_html_()
    assert "<script" not in results["Duplicates"]._repr_html_()
    path = repr(results["ImagePath"])
    assert "chelsea.png" in path and "rocket_crop.jpg" in path


def test_figures_name_images_not_ids(real_col, photos_dir):
    col = real_col
    fig = col.show_neighbors(str(photos_dir / "chelsea.png"), k=3)
    captions = [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()]
    assert "chelsea.png" in captions[0] and "chelsea_small.jpg" in " ".join(captions)
    ids = set(col.embeddings().ids)
    assert not any(i in c for c in captions for i in ids)
    rep = col.show_representatives(6)
    rows = {ax.get_subplotspec().rowspan.start for ax in rep.axes}
    assert rows == {0, 1}  # a grid of 2 rows of 3, not one strip
    assert all(ax.get_xlabel().count("\n") == 1 for ax in rep.axes)
    assert not any(i in ax.get_xlabel() for ax in rep.axes for i in ids)


def test_graph_thumbnails_never_overlap(real_col, photos_dir):
    g = real_col.graph(str(photos_dir / "chelsea.png"), depth=3, k=5)
    fig = real_col.show_graph(g)
    ax = fig.axes[0]
    boxes = [im.get_extent() for im in ax.get_images()]
    assert len(boxes) == g.number_of_nodes()
    for (l1, r1, b1, t1), (l2, r2, b2, t2) in itertools.combinations(boxes, 2):
        assert r1 <= l2 or r2 <= l1 or t1 <= b2 or t2 <= b1  # apart on some axis
    assert "chelsea.png" in ax.get_title()


def test_atlas_shows_every_image_and_explains_its_marks(real_col, photos_dir):
    col = real_col
    fig = col.show_map("pca", clusters=2, highlight=str(photos_dir / "chelsea.png"), neighbors=2)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "cluster 0 (frame colour)" in texts and "highlighted image" in texts
    assert any("nearest neighbours" in t for t in texts)
    assert ax.get_xlabel().startswith(f"All {len(col.embeddings())} images")
    assert not ax.collections  # no unexplained dot: every image has a cell
    _, cells = lookalike.analysis.assign_cells(np.zeros((5, 2)), cells=3)
    assert len({tuple(c) for c in cells.tolist()}) == 5  # identical places, apart
    assert isinstance(ax.get_images()[0], AxesImage)


def test_index_report_and_info_echo_briefly(tmp_path, messy_dir):
    col = lookalike.create(tmp_path / "col")
    report = col.index(messy_dir, model="test-pixels", progress=False)
    assert len(report.failed) >= 6
    text = repr(report)
    assert text.startswith("Indexed") and text.count("\n  failed: ") == 5
    assert text.splitlines()[-1] == f"  ... {len(report.failed) - 5} more failed"
    info = repr(col.info())
    assert info.startswith("Collection") and "... " in info and len(info.splitlines()) <= 12
    assert repr(col.knn_graph(2, model="test-pixels")).startswith("<kNN graph (k=2")


def test_a_crowded_atlas_explains_its_dots(real_col):
    n = len(real_col.embeddings())
    ax = real_col.show_map("pca", cells=2).axes[0]  # 4 cells for 9 images
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [f"image not shown ({n - 4}): its place on the map"]
    assert ax.get_xlabel().startswith(f"4 of {n} images shown")
    assert len(ax.collections[0].get_offsets()) == n - 4  # a dot for each image left out
