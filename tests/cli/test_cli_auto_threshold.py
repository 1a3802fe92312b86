"""`lookalike thresholds` prints the collection's own threshold and draws its evidence;
`duplicates --threshold auto` uses it; a bad threshold is one line."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from lookalike.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir):
    root = tmp_path_factory.mktemp("cli-auto")
    shutil.copytree(photos_dir, root / "photos")
    result = invoke(
        "index", root / "photos", "-c", root / "col", "-m", "test-pixels", "--no-progress"
    )
    assert result.exit_code == 0, result.output
    return root / "col"


def test_thresholds_prints_the_estimate_and_draws_both_distributions(col, tmp_path):
    out = tmp_path / "scores.png"
    result = invoke("thresholds", col, "--scores-out", out, "--sample", "5", "--scoring", "root")
    assert result.exit_code == 0, result.output
    assert "(automatic, root scores): expected precision" in result.output
    assert "--threshold auto" in result.output and out.stat().st_size > 10_000


def test_duplicates_and_dedup_take_threshold_auto(col):
    result = invoke("duplicates", col, "--threshold", "auto", "--scoring", "root")
    assert result.exit_code == 0, result.output
    assert "note: threshold" in result.output and "automatic" in result.output
    result = invoke("dedup", col, "-t", "AUTO", "--scoring", "cosine")
    assert result.exit_code == 0, result.output


def test_a_bad_threshold_is_one_line(col):
    result = invoke("duplicates", col, "--threshold", "maybe")
    assert result.exit_code == 1
    assert "--threshold: 'maybe' is neither a number nor 'auto'." in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_too_small_a_collection_still_gets_its_contact_sheet(tmp_path, photos_dir):
    (tmp_path / "two").mkdir()
    for name in ("chelsea.png", "coffee.jpg"):
        shutil.copy(photos_dir / name, tmp_path / "two" / name)
    col = tmp_path / "col"
    assert invoke("index", tmp_path / "two", "-c", col, "-m", "test-pixels").exit_code == 0
    result = invoke("thresholds", col, "--out", tmp_path / "bands.png", "--scoring", "root")
    assert result.exit_code == 0, result.output
    assert "no automatic threshold: Too little evidence" in result.output
    assert (tmp_path / "bands.png").is_file()
    result = invoke("thresholds", col, "--scoring", "root")
    assert result.exit_code == 1 and "Too little evidence" in result.output
