"""Outputs a curator can act on: exports with paths, sets, exact copies and clipped
scores, safe in a spreadsheet; tables that read at 80 columns; --format csv/json with
nothing else on stdout. Real photos, the real default model."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lookalike.cli import app
from tests.conftest import skimage_photo

runner = CliRunner()
FORMULA = '=HYPERLINK("evil.example","click me")'  # no "/": it is a file name
DEEP = "archive 2021/scanned letters/box 4/folder 12"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir) -> tuple[Path, Path]:
    """The shared photos and their derivatives, an exact copy, a file named like a
    spreadsheet formula and a deep folder, indexed with the default model."""
    root = tmp_path_factory.mktemp("outputs") / "photos"
    shutil.copytree(photos_dir, root)
    shutil.copy(root / "coffee.jpg", root / "coffee (copy).jpg")
    chelsea = skimage_photo("chelsea")
    chelsea.resize((300, 225)).save(root / f"{FORMULA}.jpg", quality=85)
    (root / DEEP).mkdir(parents=True)
    coffee = skimage_photo("coffee")
    coffee.crop((20, 20, 380, 380)).save(root / DEEP / "letter_0042_espresso_cup.jpg")
    path = root.parent / "col"
    result = invoke("index", root, "-c", path, "--no-progress")
    assert result.exit_code == 0, result.output
    return path, root


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_duplicates_csv_has_paths_sets_exact_copies_and_clipped_scores(col, tmp_path):
    path, _ = col
    out, groups = tmp_path / "dups.csv", tmp_path / "sets.csv"
    result = invoke("duplicates", path, "--out", out, "--groups-out", groups)
    assert result.exit_code == 0, result.output
    rows = read_csv(out.read_text())
    header = ["set", "score", "exact_copy", "path_a", "path_b", "a", "b", "verified"]
    assert list(rows[0]) == header
    for row in rows:
        assert -1.0 <= float(row["score"]) <= 1.0
        for side in ("path_a", "path_b"):  # a person can open the file from the CSV
            assert os.path.isfile(row[side].removeprefix("'")), row
    copies = [r for r in rows if r["exact_copy"]]
    assert len(copies) == 1 and copies[0]["exact_copy"] == "file"
    assert {Path(copies[0]["path_a"]).name, Path(copies[0]["path_b"]).name} == {
        "coffee.jpg",
        "coffee (copy).jpg",
    }
    assert float(copies[0]["score"]) == 1.0  # float32 gave 1.0000001 before
    assert copies[0]["verified"] == ""  # scores far above the threshold are not checked
    assert all(r["set"].isdigit() for r in rows)
    members = read_csv(groups.read_text())
    assert list(members[0]) == ["set", "path", "id"]
    assert {int(r["set"]) for r in members} == {int(r["set"]) for r in rows}


def test_a_file_named_like_a_formula_is_neutralised_in_every_csv(col, tmp_path):
    path, root = col
    formula_path = str(root / f"{FORMULA}.jpg")
    # The absolute path starts with "/", but a relative or bare name does not: write a
    # CSV of the catalogue-relative name through the shared helper, as the server does.
    import pandas as pd

    from lookalike.exports import safe_cell, to_csv

    text = to_csv(pd.DataFrame({"name": [f"{FORMULA}.jpg", "-0.5", "@sum", "ok.jpg"]}))
    cells = [r["name"] for r in read_csv(text)]
    assert cells == [f"'{FORMULA}.jpg", "'-0.5", "'@sum", "ok.jpg"]
    assert safe_cell("\tcmd") == "'\tcmd" and safe_cell("\rcmd") == "'\rcmd"
    # Every CLI CSV keeps the full path, which names the file as it is on disk.
    out = tmp_path / "n.csv"
    result = invoke("neighbors", path, formula_path, "-k", "2", "--out", out)
    assert result.exit_code == 0, result.output
    rows = read_csv(out.read_text())
    assert rows[0]["query"] == formula_path  # "/..." is not a formula: kept as is
    stdout = invoke("neighbors", path, formula_path, "-k", "2", "--format", "csv").stdout
    assert read_csv(stdout)[0]["query"] == formula_path


def test_every_cli_file_goes_through_the_safe_writer(tmp_path):
    """Relative paths and titles can start with "=": the CLI's writer quotes them and
    clips scores, in CSV; JSON keeps the text as it is."""
    import pandas as pd

    from lookalike.cli._output import save_frame

    frame = pd.DataFrame({"path": [f"{FORMULA}.jpg"], "score": [1.0000001]})
    save_frame(frame, tmp_path / "x.csv")
    assert read_csv((tmp_path / "x.csv").read_text()) == [{"path": f"'{FORMULA}.jpg", "score": "1"}]
    save_frame(frame, tmp_path / "x.json")
    assert json.loads((tmp_path / "x.json").read_text()) == [
        {"path": f"{FORMULA}.jpg", "score": 1.0}
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("duplicates",),
        ("duplicates", "--exact"),
        ("neighbors", "{coffee}", "-k", "3"),
        ("path", "{coffee}", "{rocket}", "-k", "3"),
        ("clusters", "-k", "3"),
        ("clusters", "--scan", "2:4:1"),
        ("dedup",),
        ("graph", "--seed", "{coffee}", "-k", "2"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_format_gives_only_data_on_stdout(col, args, fmt):
    path, root = col
    args = [a.format(coffee=root / "coffee.jpg", rocket=root / "rocket_crop.jpg") for a in args]
    result = invoke(args[0], path, *args[1:], "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        records = json.loads(result.stdout)
        assert isinstance(records, list) and records and isinstance(records[0], dict)
    else:
        records = read_csv(result.stdout)
        assert records and None not in records[0]  # every line has the header's cells
    text = result.stdout
    assert "saved" not in text and "near-duplicate pairs in" not in text and "│" not in text


def run_cli(*args: str, columns: int) -> subprocess.CompletedProcess:
    """The real console script, stdout a pipe (no terminal), at ``columns``."""
    env = {**os.environ, "COLUMNS": str(columns)}
    env.pop("FORCE_COLOR", None)
    cmd = [sys.executable, "-m", "lookalike.cli", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.parametrize("columns", [80, 200])
def test_tables_fit_the_terminal_one_line_a_row(col, columns):
    path, root = col
    out = run_cli("duplicates", str(path), "-t", "0.5", columns=columns).stdout
    lines = out.splitlines()
    # Every table line fits; only messages (the summary, its notes, the folder) may be
    # longer: they are never hard-wrapped, so a path stays whole, and a terminal wraps them.
    long = [x for x in lines if len(x) > columns]
    messages = ("near-duplicate pairs in", "  note: ", "paths relative")
    assert all(any(m in x for m in messages) for x in long), long
    n_pairs = int(lines[0].split()[0])
    shown = min(n_pairs, 20)
    assert len(lines) <= shown + 16  # one line a pair (119 lines for 20 pairs before)
    assert f"paths relative to {root}" in out
    assert str(root) + "/" not in out  # no absolute path is printed in the table
    deep = f"{DEEP}/letter_0042_espresso_cup.jpg"
    if columns >= 200:
        assert deep in out
    else:  # elided in the middle: the file name survives whole
        assert "letter_0042_espresso_cup.jpg" in out and deep not in out
    hits = run_cli(
        "neighbors", str(path), str(root / DEEP / "letter_0042_espresso_cup.jpg"), columns=columns
    ).stdout
    long = [x for x in hits.splitlines() if len(x) > columns]
    assert all(x.startswith("paths relative") for x in long)
    assert "coffee (copy).jpg" in hits


def test_neighbors_mark_exact_copies(col):
    path, root = col
    result = invoke("neighbors", path, root / "coffee.jpg", "-k", "3", "--format", "json")
    hits = json.loads(result.stdout)
    assert hits[0]["exact_copy"] == "file" and hits[0]["score"] == 1.0
    assert Path(hits[0]["path"]).name == "coffee (copy).jpg"
    assert all(h["exact_copy"] == "" for h in hits[1:])
    table = invoke("neighbors", path, root / "coffee.jpg", "-k", "3").stdout
    assert "1.0000 copy" in table
    # An outside file that is byte for byte an indexed image: both copies marked.
    result = invoke("neighbors", path, "--query", root / "coffee.jpg", "-k", "3", "--format", "csv")
    marks = [r["exact_copy"] for r in read_csv(result.stdout)]
    assert marks == ["file", "file", ""]


def test_a_bad_format_is_one_line_naming_the_option(col):
    path, _ = col
    result = invoke("duplicates", path, "--format", "xml")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--format should be one of table, csv, json; got 'xml'" in result.output
