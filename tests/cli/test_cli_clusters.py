"""CLI: clusters, representatives, map and compare write their files; bad input is one
line and exit code 1."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import MODEL, invoke
from tests.collection.test_clusters_maps import GreyBackbone


@pytest.fixture(scope="module")
def col_path(tmp_path_factory, photos_dir):
    path = tmp_path_factory.mktemp("cli") / "col"
    for model in (MODEL, GreyBackbone.name):
        result = invoke("index", photos_dir, "-c", path, "-m", model, "--no-progress")
        assert result.exit_code == 0, result.output
    return path


def test_clusters_csv_has_one_row_per_image(col_path, tmp_path):
    result = invoke("clusters", col_path, "-k", "3", "--out", tmp_path / "c.csv")
    assert result.exit_code == 0, result.output
    assert "3 clusters of 9 images" in result.output
    lines = (tmp_path / "c.csv").read_text().splitlines()
    assert lines[0] == "cluster,path,is_medoid,medoid_path,id" and len(lines) == 10
    assert sum(",True," in line for line in lines) == 3


def test_clusters_scan_prints_the_elbow_and_saves_the_figure(col_path, tmp_path):
    result = invoke("clusters", col_path, "--scan", "1:8:1", "--out", tmp_path / "elbow.png")
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())  # wrapped at the terminal's width
    assert "suggested k (kneedle elbow of inertia):" in words
    assert (tmp_path / "elbow.png").stat().st_size > 10_000


def test_representatives_and_maps_are_saved(col_path, tmp_path, photos_dir):
    assert invoke("representatives", col_path, "-k", "3", "-o", tmp_path / "r.png").exit_code == 0
    assert (tmp_path / "r.png").stat().st_size > 10_000
    result = invoke(
        "map",
        col_path,
        "--method",
        "pca",
        "--highlight",
        photos_dir / "chelsea.png",
        "--neighbors",
        "2",
        "--out",
        tmp_path / "m.png",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.png").stat().st_size > 10_000
    result = invoke("map", col_path, "--method", "tsne", "--out", tmp_path / "m.csv")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0] == "x,y,path,id" and len(lines) == 10


def test_compare_prints_the_table_and_saves_per_image_rows(col_path, tmp_path):
    result = invoke(
        "compare",
        col_path,
        "--models",
        MODEL,
        GreyBackbone.name,
        "-k",
        "2",
        "--out",
        tmp_path / "o.csv",
    )
    assert result.exit_code == 0, result.output
    # A sentence Rich wraps at the terminal's width: compared word by word.
    words = " ".join(result.output.split())
    assert "Top-2 neighbours shared by test-pixels and test-grey (9 images" in words
    assert len((tmp_path / "o.csv").read_text().splitlines()) == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clusters", "{col}", "-k", "20"), "k=20 should be <= n_images=9."),
        (("clusters", "{col}", "-k", "0"), "Invalid value for -k: must be"),
        (("clusters", "{col}", "--scan", "5:x"), "--scan should look like START:STOP:STEP"),
        (
            ("map", "{col}", "--method", "mds"),
            "Invalid value for --method: must be one of",
        ),
        (("compare", "{col}", "--models", MODEL, "nope", "-k", "2"), "Unknown model 'nope'"),
        (("clusters", "{empty}"), "No collection at"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(col_path, tmp_path, args, message):
    args = [a.format(col=col_path, empty=tmp_path / "none") for a in args]
    result = invoke(*args)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
