"""The near-duplicate commands: tables, files written, one-line errors."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from lookalike.cli import app

runner = CliRunner()
MODEL = "test-pixels"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def setup(tmp_path, photos_dir):
    root = tmp_path / "photos"
    shutil.copytree(photos_dir, root)
    shutil.copy(root / "chelsea.png", root / "chelsea_copy.png")
    result = invoke("index", root, "-c", tmp_path / "col", "-m", MODEL, "--no-progress")
    assert result.exit_code == 0, result.output
    return tmp_path / "col", root


def test_duplicates_prints_pairs_and_saves_csv(setup, tmp_path):
    col, _ = setup
    out, groups = tmp_path / "pairs.csv", tmp_path / "groups.csv"
    result = invoke("duplicates", col, "-t", "0.95", "--out", out, "--groups-out", groups)
    assert result.exit_code == 0, result.output
    assert "near-duplicate pairs in" in result.output and "Most similar pairs" in result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "set,score,exact_copy,path_a,path_b,a,b,verified" and len(lines) >= 2
    assert groups.read_text().startswith("set,path,id\n1,")
    result = invoke("duplicates", col, "-t", "0.95", "--search", "approximate")
    assert result.exit_code == 0 and "recall on a sample" in result.output


@pytest.mark.parametrize("scoring", ["centre", "root", "cosine"])
def test_every_scoring(setup, scoring):
    col, _ = setup
    result = invoke("duplicates", col, "-t", "0.95", "--scoring", scoring, "--no-verify")
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())  # wrapped at the terminal's width
    assert f"exact, {scoring} scores)" in words and "note:" not in words
    result = invoke("duplicates", col, "-t", "0.95", "--scoring", scoring)
    words = " ".join(result.output.split())
    assert result.exit_code == 0 and "note: geometric check of" in words
    result = invoke("dedup", col, "-t", "0.95", "--scoring", scoring)
    assert result.exit_code == 0, result.output


def test_exact_duplicates(setup, tmp_path):
    col, _ = setup
    result = invoke("duplicates", col, "--exact", "--out", tmp_path / "exact.csv")
    assert result.exit_code == 0, result.output
    # A sentence Rich wraps at the terminal's width: compared word by word.
    assert "1 sets of identical files or pixels (2 images)" in " ".join(result.output.split())
    assert (tmp_path / "exact.csv").read_text().startswith("set,kind,path,id\n1,file,")


def test_dedup_writes_kept_paths_and_decisions_and_moves_only_with_the_flag(setup, tmp_path):
    col, photos = setup
    n_files = len(list(photos.iterdir()))
    result = invoke("dedup", col, "--exact", "--keep", "first-path", "--out", tmp_path / "k.txt")
    assert result.exit_code == 0, result.output
    kept = (tmp_path / "k.txt").read_text().splitlines()
    assert len(kept) == n_files - 1 and str(photos / "chelsea.png") in kept
    decisions = (tmp_path / "k.decisions.csv").read_text()
    assert decisions.startswith("set,decision,path,kept_path,reason,id,kept_id")
    assert len(list(photos.iterdir())) == n_files  # nothing touched
    result = invoke("dedup", col, "--exact", "--move-removed-to", tmp_path / "removed")
    assert result.exit_code == 0 and "moved" in result.output
    assert len(list(photos.iterdir())) == n_files - 1
    assert len(list((tmp_path / "removed").iterdir())) == 1


def test_thresholds_and_calibrate(setup, tmp_path):
    col, photos = setup
    result = invoke("thresholds", col, "--out", tmp_path / "bands.png", "--per-band", "2")
    assert result.exit_code == 0 and (tmp_path / "bands.png").stat().st_size > 10_000
    labels = tmp_path / "labels.csv"
    labels.write_text(
        f"{photos / 'chelsea.png'},{photos / 'chelsea_small.jpg'},same\n"
        f"{photos / 'coffee.jpg'},{photos / 'rocket.png'},different\n"
    )
    result = invoke("calibrate", col, "--labels", labels)
    assert result.exit_code == 0, result.output
    assert "max F1" in result.output and "1 same and 1 different" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["duplicates", "{col}", "-t", "2"], "Invalid value for --threshold: must be"),
        (["duplicates", "{col}", "--search", "fast"], "Invalid value for --search: must be"),
        (["dedup", "{col}", "--keep", "newest"], "Invalid value for --keep: must be"),
        (["calibrate", "{col}", "--labels", "{labels}"], "line 1: label 'maybe' is not one of"),
        (["calibrate", "{col}", "--labels", "{missing}"], "No labels file at"),
        (["calibrate", "{col}"], "No labelled pairs"),
        (["duplicates", "{col}", "-m", "other"], "Unknown model 'other'"),
        (
            ["duplicates", "{col}", "--scoring", "mean"],
            "Invalid value for --scoring: must be one of 'centre', 'root', 'cosine'. "
            "Got 'mean' instead.",
        ),
        (["thresholds", "{col}", "-o", "{png}", "--scoring", "l2"], "Invalid value for --scoring"),
    ],
)
def test_errors_are_one_line(args, message, setup, tmp_path):
    col, photos = setup
    labels = tmp_path / "bad.csv"
    labels.write_text(f"{photos / 'coffee.jpg'},{photos / 'rocket.png'},maybe\n")
    fill = {
        "col": col,
        "labels": labels,
        "missing": tmp_path / "none.csv",
        "png": tmp_path / "x.png",
    }
    result = invoke(*[a.format(**fill) for a in args])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2
