"""The last commands that print tables take --format too (models, info, check,
calibrate), the index summary reads at 80 columns, --out makes its folder (or fails in
one line), and the long waits of duplicates, dedup, path, graph and compare show a
status line on stderr, never on stdout. The real CLI, real photos, at COLUMNS=80."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app

ROOT = Path(__file__).resolve().parents[2]
MODEL = "test-pixels"  # registered by tests/conftest.py
RUN_CLI = (
    "import sys, tests.conftest; from lookalike.cli import app; sys.argv[0] = 'lookalike'; app()"
)
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir) -> tuple[Path, Path]:
    """The shared photos, an exact copy and a second model's vectors (imported)."""
    root = tmp_path_factory.mktemp("finish") / "photos"
    shutil.copytree(photos_dir, root)
    shutil.copy(root / "chelsea.png", root / "chelsea_copy.png")
    path = root.parent / "col"
    result = invoke("index", root, "-c", path, "-m", MODEL, "--no-progress")
    assert result.exit_code == 0, result.output
    # A second model to compare with: the pixel vectors seen through a fixed random
    # rotation of half their dimensions (a real import, different neighbour lists).
    emb = lookalike.open(path).embeddings(MODEL)
    rng = np.random.default_rng(0)
    vectors = emb.vectors @ rng.normal(size=(emb.vectors.shape[1], 54)).astype(np.float32)
    np.save(root.parent / "other.npy", vectors)
    (root.parent / "ids.txt").write_text("\n".join(emb.ids) + "\n")
    result = invoke(
        "import-vectors",
        path,
        root.parent / "other.npy",
        "-m",
        "other",
        "--ids",
        root.parent / "ids.txt",
    )
    assert result.exit_code == 0, result.output
    return path, root


# -- --format on the last commands that print tables ------------------------------------


def test_models_in_every_format(col):
    path, _ = col
    table = invoke("models", "-c", path)
    assert table.exit_code == 0, table.output
    assert all(len(line) <= 80 for line in table.stdout.splitlines()), table.stdout
    assert "(offline default)" in " ".join(table.stdout.split())  # descriptions kept whole
    assert f"Models in {path}" in table.stdout
    result = invoke("models", "-c", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    by_name = {r["name"]: r for r in rows(result.stdout)}
    assert by_name["efficientnet-lite0"]["aliases"] == "lite0"
    assert by_name[MODEL][f"vectors in {path}"] == "10"
    assert by_name["efficientnet-lite0"][f"vectors in {path}"] == "0"
    assert by_name["other"]["dim"] == "54"  # imported: not built in, still listed
    records = json.loads(invoke("models", "--format", "json").stdout)
    assert {r["name"] for r in records} >= {"efficientnet-lite0", MODEL}
    assert all(
        set(r) == {"name", "aliases", "dim", "input", "offline", "description"} for r in records
    )


def test_info_as_json_and_csv(tmp_path, messy_dir):
    path = tmp_path / "c"
    invoke("index", messy_dir, "-c", path, "-m", MODEL, "--no-progress")
    result = invoke("info", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"path", "counts", "models", "failed", "skipped", "damaged", "runs"}
    assert data["counts"] == {
        "images": 9,
        "indexed": 3,
        "failed": 6,
        "skipped": len(data["skipped"]),
        "damaged": 0,
    }
    assert data["models"] == {
        MODEL: {"dim": 108, "vectors": 3, "encoding": "float32", "bytes_per_image": 432}
    }
    assert any(
        f["path"].endswith("empty.jpg") and f["reason"] == "empty file (0 bytes)"
        for f in data["failed"]
    )
    assert data["runs"][-1]["source"] == str(messy_dir)
    result = invoke("info", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    problems = rows(result.stdout)
    assert list(problems[0]) == ["problem", "model", "path", "reason", "id"]
    assert sum(p["problem"] == "failed" for p in problems) == 6


def test_check_as_json_and_csv_names_lost_vectors(col, tmp_path):
    path, _ = col
    data = json.loads(invoke("check", path, "--format", "json").stdout)
    assert data["ok"] is True and data["catalog"] == "ok" and data["damage"] == []
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    for chunk in (broken / "vectors" / MODEL).iterdir():
        chunk.unlink()
    result = invoke("check", broken, "--format", "csv")
    assert result.exit_code == 4, result.output  # damage remains: the exit code says so
    lost = rows(result.stdout)
    assert len(lost) == 10 and {r["model"] for r in lost} == {MODEL}
    assert all(os.path.isfile(r["path"]) for r in lost)  # a person can act on each row
    result = invoke("check", broken, "--format", "json", "--repair")
    assert result.exit_code == 0, result.output
    repaired = json.loads(result.stdout)
    # The exact copy's vector is embedded once for both files.
    assert repaired["ok"] is True and repaired["damage"] == [] and repaired["repaired"] >= 9


def test_calibrate_as_csv_and_json(col, tmp_path):
    path, photos = col
    labels = tmp_path / "labels.csv"
    labels.write_text(
        f"{photos / 'chelsea.png'},{photos / 'chelsea_small.jpg'},same\n"
        f"{photos / 'coffee.jpg'},{photos / 'rocket.png'},different\n"
    )
    result = invoke("calibrate", path, "--labels", labels, "--format", "csv")
    assert result.exit_code == 0, result.output
    curve = rows(result.stdout)
    assert list(curve[0]) == ["threshold", "precision", "recall", "f1"]
    data = json.loads(invoke("calibrate", path, "--labels", labels, "--format", "json").stdout)
    assert (data["same"], data["different"], data["f1"]) == (1, 1, 1.0)
    assert -1 <= data["threshold"] <= 1 and len(data["curve"]) == len(curve)


# -- the index summary at 80 columns ---------------------------------------------------


def test_the_index_summary_reads_at_80_columns(tmp_path, photos_dir, monkeypatch):
    shutil.copytree(photos_dir, tmp_path / "photos")
    monkeypatch.chdir(tmp_path)
    result = invoke("index", "photos", "-c", "col", "-m", MODEL, "--no-progress")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Indexed photos with {MODEL}: 9 images seen."
    assert lines[1] == "  images: 9 added, 0 updated, 0 moved, 0 unchanged; 0 failed"
    assert lines[2] == "  vectors: 9 embedded, 0 reused"
    assert lines[3].startswith("  time: ") and lines[3].endswith(" images/s")
    assert all(len(line) <= 80 for line in lines)


# -- --out into a folder that does not exist -------------------------------------------


def test_out_makes_its_folder(col, tmp_path):
    path, photos = col
    pairs, sets = tmp_path / "new" / "deeper" / "pairs.csv", tmp_path / "sets" / "s.csv"
    result = invoke("duplicates", path, "-t", "0.95", "--out", pairs, "--groups-out", sets)
    assert result.exit_code == 0, result.output
    assert rows(pairs.read_text()) and rows(sets.read_text())
    kept = tmp_path / "dedup" / "kept.txt"
    result = invoke("dedup", path, "--exact", "--out", kept)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dedup" / "kept.decisions.csv").is_file() and len(
        kept.read_text().split("\n")
    ) == 10
    figure = tmp_path / "figures" / "n.png"
    result = invoke("neighbors", path, photos / "coffee.jpg", "-k", "2", "-o", figure)
    assert result.exit_code == 0 and figure.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("duplicates", "{col}", "--out", "{file}/pairs.csv"), "--out"),
        (("duplicates", "{col}", "--groups-out", "{file}/sets.csv"), "--groups-out"),
        (("map", "{col}", "--method", "pca", "-o", "{file}/sub/map.png"), "--out"),
        (("export-onnx", "{file}/m.onnx"), "OUT"),
    ],
)
def test_an_out_that_cannot_be_written_is_one_line(col, tmp_path, args, option):
    path, _ = col
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    result = invoke(*(a.format(col=path, file=blocker) for a in args))
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: Invalid value for {option}: cannot create the folder")
    assert str(blocker) in result.output and len(result.output.splitlines()) == 1
    result = invoke("duplicates", path, "--out", tmp_path)  # a folder, not a file
    assert result.exit_code == 1
    assert result.output == f"Error: Invalid value for --out: {tmp_path} is a folder, not a file.\n"


# -- what a long wait shows ------------------------------------------------------------


def run_with_stderr_on_a_terminal(*args: str) -> tuple[int, str, str]:
    """The CLI with stderr a pseudo-terminal and stdout a pipe: (code, stdout, stderr)."""
    main, side = pty.openpty()
    env = dict(os.environ, COLUMNS="80", TERM="xterm-256color")
    env["PYTHONPATH"] = f"{ROOT / 'src'}:{ROOT}"
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=side,
        env=env,
        cwd=ROOT,
    )
    os.close(side)
    err = b""
    while select.select([main], [], [], 120)[0]:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    os.close(main)
    out = proc.stdout.read().decode()
    return proc.wait(timeout=60), out, err.decode(errors="replace")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("duplicates", "{col}", "-t", "0.9", "--format", "csv"),
            "searching 10 images for pairs scoring 0.9 or more",
        ),
        (("dedup", "{col}", "-t", "0.9", "--format", "json"), "searching 10 images for pairs"),
        (
            ("path", "{col}", "{a}", "{b}", "-k", "3", "--format", "csv"),
            "finding the shortest path from coffee.jpg to rocket.png",
        ),
        (
            ("graph", "{col}", "--seed", "{a}", "-d", "2", "-k", "2", "--format", "json"),
            "growing the graph from coffee.jpg (2 levels, 2 neighbours each)",
        ),
        (
            ("compare", "{col}", "--models", MODEL, "other", "-k", "2", "--format", "csv"),
            f"comparing the 2 nearest neighbours of {MODEL} and other",
        ),
    ],
)
def test_long_steps_say_what_they_do_on_stderr_only(col, tmp_path, args, said):
    path, photos = col
    work = tmp_path / "col"
    shutil.copytree(path, work)  # results computed by one run are not reused by the next
    a, b = photos / "coffee.jpg", photos / "rocket.png"
    code, out, err = run_with_stderr_on_a_terminal(*(x.format(col=work, a=a, b=b) for x in args))
    assert code == 0, err
    assert said in err and "\x1b[" in err  # a live status line, drawn on the terminal
    assert said not in out and "\x1b[" not in out
    if "json" in args:
        json.loads(out)
    else:
        assert rows(out)  # nothing but the data on stdout
