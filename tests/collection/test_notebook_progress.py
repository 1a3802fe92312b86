"""In a Jupyter notebook (a real IPython kernel here), long steps show what they are doing
as plain lines on the cell's stderr: Rich's live displays would need ipywidgets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kernel():
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT), env=env)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run_cell(kc, code: str) -> tuple[str, str]:
    """(stdout, stderr) of a cell, as a notebook shows them."""
    out = {"stdout": "", "stderr": ""}
    reply = kc.execute_interactive(
        code,
        timeout=180,
        output_hook=lambda msg: (
            out.__setitem__(
                msg["content"]["name"], out[msg["content"]["name"]] + msg["content"]["text"]
            )
            if msg["msg_type"] == "stream"
            else None
        ),
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    return out["stdout"], out["stderr"]


def test_index_and_map_say_what_they_do_in_a_notebook(kernel, photos_dir, tmp_path):
    col = tmp_path / "col"
    _, err = run_cell(
        kernel,
        "import tests.conftest, lookalike\n"
        f"col = lookalike.create({str(col)!r})\n"
        f"report = col.index({str(photos_dir)!r}, model='test-pixels')",
    )
    assert err.splitlines() == [f"indexing {photos_dir} ...", f"indexing {photos_dir}: 9/9"]
    _, err = run_cell(kernel, "proj = col.map('pca', model='test-pixels')")
    assert err.splitlines()[0] == "computing the PCA map of 9 images ..."
    _, err = run_cell(kernel, "proj = col.map('pca', model='test-pixels')")
    assert err == ""  # saved with the collection: nothing to wait for
    _, err = run_cell(kernel, "col.index([], model='test-pixels', progress=False)")
    assert err == ""  # progress=False is obeyed in a notebook too
