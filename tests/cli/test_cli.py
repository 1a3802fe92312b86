"""The CLI: each command calls one Collection method; errors are one line, never a
traceback; exit codes say whether anything failed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lookalike.cli import app

runner = CliRunner()
MODEL = "test-pixels"


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def col_path(tmp_path, photos_dir):
    result = invoke("index", photos_dir, "-c", tmp_path / "col", "-m", MODEL, "--no-progress")
    assert result.exit_code == 0, result.output
    return tmp_path / "col"


def test_index_prints_a_report(col_path, photos_dir):
    result = invoke("index", photos_dir, "-c", col_path, "-m", MODEL, "--no-progress")
    assert result.exit_code == 0
    assert "9 unchanged" in result.output and "0 embedded" in result.output


def test_index_exits_3_when_some_images_failed(tmp_path, messy_dir):
    result = invoke("index", messy_dir, "-c", tmp_path / "c", "-m", MODEL, "--no-progress")
    assert result.exit_code == 3
    assert "6 failed" in result.output and "truncated.jpg" in result.output


def test_info_lists_failed_images_with_reasons(tmp_path, messy_dir):
    invoke("index", messy_dir, "-c", tmp_path / "c", "-m", MODEL, "--no-progress")
    result = invoke("info", tmp_path / "c")
    assert result.exit_code == 0
    assert "3 indexed, 6 failed" in result.output
    assert "empty.jpg: empty file (0 bytes)" in result.output


def test_neighbors_by_path_prints_a_table_and_saves_csv_and_png(col_path, photos_dir, tmp_path):
    result = invoke(
        "neighbors", col_path, photos_dir / "chelsea.png", "-k", "3", "--out", tmp_path / "n.csv"
    )
    assert result.exit_code == 0, result.output
    assert "Neighbours of" in result.output
    lines = (tmp_path / "n.csv").read_text().splitlines()
    assert lines[0] == "query,rank,score,exact_copy,path,id" and len(lines) == 4
    assert lines[1].split(",")[4].endswith("chelsea_small.jpg")
    result = invoke("neighbors", col_path, photos_dir / "chelsea.png", "--out", tmp_path / "g.png")
    assert result.exit_code == 0 and (tmp_path / "g.png").stat().st_size > 10_000


def test_neighbors_of_an_outside_query(col_path, photos_dir, tmp_path):
    result = invoke("neighbors", col_path, "--query", photos_dir / "rocket_crop.jpg", "-k", "2")
    assert result.exit_code == 0, result.output
    assert "rocket" in result.output
    out = tmp_path / "q.png"  # the grid draws the table's neighbours: the query embedded once
    result = invoke("neighbors", col_path, "--query", photos_dir / "rocket_crop.jpg", "-o", out)
    assert result.exit_code == 0 and out.stat().st_size > 10_000, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["neighbors", "{col}", "nope"], "No image 'nope' in the collection"),
        (["neighbors", "{col}", "{photo}", "-k", "0"], "Invalid value for -k: must be"),
        (["neighbors", "{missing}", "abc"], "No collection at"),
        (["neighbors", "{col}"], "Give exactly one of 'image'"),
        (["index", "{missing}/x", "-c", "{col}"], "is not a folder or a file"),
        (["index", "{photo}", "-c", "{col}", "-m", "resnet-9000"], "Unknown model 'resnet-9000'"),
    ],
)
def test_errors_are_one_line_with_exit_code_1(args, message, col_path, photos_dir, tmp_path):
    fill = {"col": col_path, "photo": photos_dir / "coffee.jpg", "missing": tmp_path / "nope"}
    result = invoke(*[a.format(**fill) for a in args])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2  # one line (terminals may wrap)


def test_models_lists_the_default():
    result = invoke("models")
    assert result.exit_code == 0 and "efficientnet-lite0" in result.output
