"""CLI: graph, graph-stats, draw, path — outputs and one-line errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lookalike.cli import app

runner = CliRunner()
MODEL = "test-pixels"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def col_path(tmp_path_factory, photos_dir):
    path = tmp_path_factory.mktemp("gcli") / "col"
    result = invoke("index", photos_dir, "-c", path, "-m", MODEL, "--no-progress")
    assert result.exit_code == 0, result.output
    return path


def test_graph_from_a_seed_saved_measured_and_drawn(col_path, photos_dir, tmp_path):
    out = tmp_path / "g.graphml"
    result = invoke(
        "graph", col_path, "--seed", photos_dir / "chelsea.png", "-d", "2", "-k", "2", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "nodes:" in result.output and out.is_file()
    result = invoke("graph-stats", out)
    assert result.exit_code == 0 and "clustering coefficient" in result.output
    result = invoke("draw", out, "--out", tmp_path / "g.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.png").stat().st_size > 20_000


def test_graph_of_all_images_as_json(col_path, tmp_path):
    result = invoke("graph", col_path, "--all", "-k", "2", "--out", tmp_path / "all.json")
    assert result.exit_code == 0, result.output
    assert "nodes: 9" in result.output and '"links"' in (tmp_path / "all.json").read_text()


def test_path_table_csv_and_strip(col_path, photos_dir, tmp_path):
    a, b = photos_dir / "coffee.jpg", photos_dir / "astronaut.jpg"
    result = invoke("path", col_path, a, b, "-k", "2", "--smooth", "--out", tmp_path / "p.csv")
    assert result.exit_code == 0, result.output
    assert "smooth path" in result.output
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "step,similarity,bridge,path,id" and len(lines) >= 3
    result = invoke("path", col_path, a, b, "-k", "2", "--out", tmp_path / "p.png")
    assert result.exit_code == 0 and (tmp_path / "p.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["path", "{col}", "nope", "{a}"], "No image 'nope'"),
        (["path", "{col}", "{a}", "{a}"], "same image"),
        (["path", "{col}", "{a}", "{b}", "--smooth", "--fewest"], "at most one of --smooth"),
        (["path", "{col}", "{a}", "{b}", "--steps", "0"], "Invalid value for --steps: must be"),
        (["path", "{col}", "{a}", "{b}", "-k", "50"], "k=50 should be < n_images=9"),
        (["graph", "{col}", "--seed", "{a}", "-d", "-1"], "Invalid value for --depth: must be"),
        (["graph", "{col}", "--seed", "{a}", "-k", "0"], "Invalid value for -k: must be"),
        (["graph", "{col}"], "either a 'seed' image or all=True"),
        (["graph-stats", "{bad}"], "Cannot read"),
        (["graph-stats", "{missing}"], "no such file"),
        (["draw", "{bad}", "--out", "{png}"], "Cannot read"),
    ],
)
def test_errors_are_one_line_with_exit_code_1(args, message, col_path, photos_dir, tmp_path):
    bad = tmp_path / "bad.gexf"
    bad.write_text("not xml at all")
    fill = {
        "col": col_path,
        "a": photos_dir / "coffee.jpg",
        "b": photos_dir / "rocket.png",
        "bad": bad,
        "missing": tmp_path / "nope.graphml",
        "png": tmp_path / "x.png",
    }
    result = invoke(*[a.format(**fill) for a in args])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_absurd_depth_is_capped_with_a_note(col_path, photos_dir):
    result = invoke("graph", col_path, "--seed", photos_dir / "coffee.jpg", "-d", "500", "-k", "1")
    assert result.exit_code == 0, result.output
    assert "depth=500 is capped at 10" in result.output
