"""An ``index`` killed with SIGKILL half-way resumes and ends with a consistent collection
(a real subprocess, a real kill, the real default model)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

import lookalike
from tests.conftest import PHOTOS, skimage_photo

N_IMAGES = 160


@pytest.fixture(scope="module")
def many_photos(tmp_path_factory):
    """160 distinct real-photo crops (different contents, so 160 vectors)."""
    root = tmp_path_factory.mktemp("many")
    rng = np.random.default_rng(0)
    photos = [skimage_photo(name) for name in PHOTOS]
    for i in range(N_IMAGES):
        im = photos[i % len(photos)]
        w, h = im.size
        cw, ch = int(w * rng.uniform(0.4, 0.9)), int(h * rng.uniform(0.4, 0.9))
        x, y = int(rng.integers(0, w - cw)), int(rng.integers(0, h - ch))
        im.crop((x, y, x + cw, y + ch)).resize((256, 256)).save(root / f"crop_{i:03d}.jpg")
    return root


def count_vectors(col_path) -> int:
    try:
        with sqlite3.connect(col_path / "catalog.sqlite", timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_index(src, col_path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "lookalike.cli",
        "index",
        str(src),
        "-c",
        str(col_path),
        "--batch-size",
        "8",
        "--no-progress",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_sigkill_half_way_then_resume(tmp_path, many_photos):
    col_path = tmp_path / "col"
    proc = run_index(many_photos, col_path)
    deadline = time.monotonic() + 300
    while count_vectors(col_path) < 24:  # a few batches are committed
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = count_vectors(col_path)
    assert 24 <= done_before < N_IMAGES, "the kill must land half-way"

    resumed = run_index(many_photos, col_path)
    out = resumed.communicate(timeout=300)[0].decode()
    assert resumed.returncode == 0, out
    assert "0 failed" in out

    col = lookalike.open(col_path)
    info = col.info()
    assert info.n_ok == N_IMAGES and info.n_failed == 0
    assert [r["status"] for r in info.runs] == ["interrupted", "done"]
    assert info.runs[1]["n_embedded"] == N_IMAGES - info.runs[0]["n_embedded"]
    emb = col.embeddings()
    assert emb.vectors.shape == (N_IMAGES, 1280)
    np.testing.assert_allclose(np.linalg.norm(emb.vectors, axis=1), 1, rtol=1e-4)
    # No orphan chunk: every file on disk is the one the catalog names.
    files = sorted(p.name for p in (col_path / "vectors" / emb.model).iterdir())
    assert len(files) == 1 and files[0].endswith(".npy")

    # The vectors equal those of an uninterrupted run.
    clean = lookalike.create(tmp_path / "clean")
    clean.index(many_photos, batch_size=32, progress=False)
    ref = clean.embeddings()
    assert set(ref.ids) == set(emb.ids)  # ids come from the contents: the same in both
    pos = ref.positions()
    for image_id, vector in zip(emb.ids, emb.vectors, strict=True):
        np.testing.assert_allclose(vector, ref.vectors[pos[image_id]], atol=1e-4)
