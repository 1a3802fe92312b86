"""`lookalike serve`: builds the app over the collection and hands it to uvicorn on
127.0.0.1 unless --host says otherwise (uvicorn.run mocked)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import uvicorn
from typer.testing import CliRunner

from lookalike.cli import app
from tests.server.conftest import free_port

runner = CliRunner()


def test_serve_binds_localhost_by_default(server_col, monkeypatch):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    result = runner.invoke(app, ["serve", str(server_col.root), "--port", "8123"])
    assert result.exit_code == 0, result.output
    fastapi_app, kwargs = calls[0]
    assert kwargs["host"] == "127.0.0.1" and kwargs["port"] == 8123
    assert "reload" not in kwargs
    settings = fastapi_app.state.settings
    assert settings.k_default == 5 and settings.cors_origins == ("*",) and settings.precompute
    assert not settings.allow_labels and "read-only" in result.output
    result = runner.invoke(app, ["serve", str(server_col.root), "--cors-origin", "none"])
    assert result.exit_code == 0 and calls[1][0].state.settings.cors_origins == ()


def test_serve_options(server_col, monkeypatch):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    args = ["serve", str(server_col.root), "--host", "0.0.0.0", "--k-default", "3"]
    args += ["--cors-origin", "https://a.org", "--cors-origin", "https://b.org"]
    args += ["--no-precompute", "--public-url", "https://images.example.org/", "--allow-labels"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    fastapi_app, kwargs = calls[0]
    settings = fastapi_app.state.settings
    assert kwargs["host"] == "0.0.0.0"
    assert settings.k_default == 3 and not settings.precompute
    assert settings.cors_origins == ("https://a.org", "https://b.org")
    assert settings.public_url == "https://images.example.org/"
    assert settings.allow_labels and "(labels can be saved; Ctrl-C stops)" in result.output


def test_serve_message_is_one_line_in_a_narrow_terminal(server_col):
    """A real `lookalike serve` at 40 columns: its first line is whole (the terminal
    wraps it; the address stays one piece to copy)."""
    port = free_port()
    run_cli = "import sys, tests.conftest; from lookalike.cli import app; app()"
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, COLUMNS="40", PYTHONPATH=f"{root / 'src'}:{root}")
    args = ["serve", str(server_col.root), "--port", str(port), "--no-precompute"]
    proc = subprocess.Popen(
        [sys.executable, "-c", run_cli, *args, "--allow-labels"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        cwd=root,
        env=env,
        text=True,
    )
    try:
        first = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert first == (
        f"Serving {server_col.root} at http://127.0.0.1:{port}/ "
        "(labels can be saved; Ctrl-C stops)\n"
    )


def test_serve_errors_are_one_line(tmp_path, server_col):
    result = runner.invoke(app, ["serve", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "Error: No collection at" in result.output
    result = runner.invoke(app, ["serve", str(server_col.root), "--k-default", "0"])
    assert result.exit_code == 1
    assert "Invalid value for --k-default: must be an int" in result.output
