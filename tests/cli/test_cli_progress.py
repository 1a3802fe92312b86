"""Long steps say what they are doing: a status line on a real terminal (a pseudo-
terminal here), plain lines without one when progress is asked for, events for every
step, and the model's first export counted in the index summary's time."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

import lookalike
from lookalike import _progress
from lookalike.models._onnx_cache import cached_export
from lookalike.pipeline import IndexReport

ROOT = Path(__file__).resolve().parents[2]
MODEL = "test-pixels"  # registered by tests/conftest.py, so the CLI runs through Python
RUN_CLI = (
    "import sys, tests.conftest; from lookalike.cli import app; sys.argv[0] = 'lookalike'; app()"
)


def env(columns: str = "80") -> dict[str, str]:
    e = dict(os.environ, COLUMNS=columns, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    e.pop("TERM", None)
    return e | {"TERM": "xterm-256color"}


def run_in_terminal(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run the CLI in a pseudo-terminal (stdout and stderr both a tty); its raw output."""
    main, side = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, *args],
        stdin=side,
        stdout=side,
        stderr=side,
        env=env(),
        cwd=ROOT,
        close_fds=True,
    )
    os.close(side)
    out = b""
    while True:
        ready, _, _ = select.select([main], [], [], timeout)
        if not ready:
            proc.kill()
            raise TimeoutError(out.decode(errors="replace"))
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=timeout), out.decode(errors="replace")


@pytest.fixture(scope="module")
def col_path(tmp_path_factory, photos_dir):
    path = tmp_path_factory.mktemp("progress") / "col"
    lookalike.create(path).index(photos_dir, model=MODEL, progress=False)
    return path


def test_a_map_shows_its_status_on_a_terminal(col_path, tmp_path):
    code, out = run_in_terminal("map", str(col_path), "--method", "pca", "-o", f"{tmp_path}/m.png")
    assert code == 0, out
    assert "computing the PCA map of 9 images ..." in out  # the spinner's line
    assert "\x1b[" in out  # drawn live (and erased) with terminal control codes
    # Saved with the collection: a second run computes nothing, so shows nothing.
    code, out = run_in_terminal("map", str(col_path), "--method", "pca", "-o", f"{tmp_path}/m.png")
    assert code == 0 and "computing" not in out


def test_index_progress_without_a_terminal_is_plain_lines(photos_dir, tmp_path):
    args = ["index", str(photos_dir), "-c", str(tmp_path / "c"), "-m", MODEL, "--progress"]
    proc = subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        capture_output=True,
        text=True,
        env=env("40"),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[:2] == [
        f"indexing {photos_dir} ...",
        f"indexing {photos_dir}: 9/9",
    ]
    assert "\x1b[" not in proc.stderr
    assert proc.stdout.startswith(f"Indexed {photos_dir} with {MODEL}: 9 images seen")
    args[-1] = "--no-progress"
    proc = subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        capture_output=True,
        text=True,
        env=env(),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0 and proc.stderr == ""


def test_steps_are_announced_and_obey_the_progress_setting(col_path, capsys):
    events = []
    _progress.listeners.append(lambda event, message: events.append((event, message)))
    try:
        col = lookalike.open(col_path)
        col.clusters(3, model=MODEL)
        col.knn_graph(k=3, model=MODEL)
        col.clusters(3, model=MODEL)  # saved: no step
    finally:
        _progress.listeners.clear()
    assert events == [
        ("start", "clustering 9 images into 3 clusters (k-medoids)"),
        ("end", "clustering 9 images into 3 clusters (k-medoids)"),
        ("start", "building the 3-nearest-neighbour graph of 9 images"),
        ("end", "building the 3-nearest-neighbour graph of 9 images"),
    ]
    assert capsys.readouterr().err == ""  # no terminal, nothing asked: nothing shown
    with _progress.progress_setting(True), _progress.status("thinking hard"):
        pass
    with _progress.progress_setting(False), _progress.status("thinking quietly"):
        pass
    assert capsys.readouterr().err == "thinking hard ...\n"


def test_the_first_export_to_onnx_shows_a_status(tmp_path, capsys):
    events = []
    _progress.listeners.append(lambda event, message: events.append((event, message)))
    try:
        target = tmp_path / "onnx" / "m.onnx"
        with _progress.progress_setting(True):
            cached_export(target, lambda path: path.write_bytes(b"model"), what="lite9")
            cached_export(target, lambda path: path.write_bytes(b"model"), what="lite9")
    finally:
        _progress.listeners.clear()
    message = f"exporting lite9 to ONNX, once (cached in {target.parent})"
    assert events == [("start", message), ("end", message)]  # the second call: cached
    assert capsys.readouterr().err == f"{message} ...\n"


def test_the_index_summary_counts_the_time_getting_the_model_ready():
    report = IndexReport("photos", "efficientnet-lite0", seen=57, added=57, embedded=57)
    report.seconds, report.model_seconds = 3.0, 31.2
    assert "  time: 34.2 s, of which 31.2 s getting the model ready; 19.0 images/s" in str(report)
    report.model_seconds = 0.01
    assert "  time: 3.0 s; 19.0 images/s" in str(report)
    assert max(len(line) for line in str(report).splitlines()) <= 80
