"""Real processes on one collection, for the concurrency test and ``bench/stress.py``:
a writer (``lookalike index``) killed with SIGKILL at random moments and resumed, two
writers at once at the end, while readers loop (a Python ``lookalike.open`` process,
``lookalike neighbors`` runs) and ``lookalike serve`` answers; then the collection is
compared with a clean run of the same images."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

import lookalike
from lookalike.search import FlatIndex
from lookalike.store import Store
from tests.conftest import PHOTOS, skimage_photo

ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    "COLUMNS": "80",
}


def make_images(root: Path, n: int, seed: int = 0, size: int = 96) -> Path:
    """``n`` distinct small pictures: crops of scikit-image photos with colour shifts."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    photos = [skimage_photo(name) for name in PHOTOS]
    for i in range(n):
        im = photos[i % len(photos)]
        w, h = im.size
        cw, ch = int(w * rng.uniform(0.3, 0.8)), int(h * rng.uniform(0.3, 0.8))
        x, y = int(rng.integers(0, w - cw)), int(rng.integers(0, h - ch))
        pixels = np.asarray(im.crop((x, y, x + cw, y + ch)).resize((size, size)), np.float32)
        pixels = np.clip(pixels * rng.uniform(0.7, 1.3, size=3), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / f"img_{i:04d}.jpg", quality=90)
    return root


def lookalike_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "lookalike.cli", *map(str, args)]


# The Python reader: opens the collection again and again (a notebook re-running a cell)
# and keeps one Collection open (what the server does); checks every read it makes.
PY_READER = """
import json, sys, time
from pathlib import Path
import numpy as np
import lookalike
from lookalike.errors import CollectionNotFound, ImageNotFound, IndexNotBuilt

col_path, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
rng = np.random.default_rng(int(sys.argv[4]))
reads, errors, counts, kept = 0, [], [], None
while not stop.exists():
    try:
        col = lookalike.open(col_path)
        kept = kept or col
        for c in (col, kept):
            emb = c.embeddings()
            v = np.asarray(emb.vectors)
            assert np.isfinite(v).all(), "non-finite vector"
            assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3), "not unit rows"
            assert len(set(emb.ids)) == len(emb.ids), "repeated ids"
            hit = c.neighbors(emb.ids[int(rng.integers(len(emb)))], k=3)
            assert len(hit) == min(3, len(emb) - 1)
        counts.append(len(emb))
        reads += 1
        time.sleep(0.1)
    except (CollectionNotFound, IndexNotBuilt):
        time.sleep(0.05)
    except Exception as err:
        errors.append(f"{type(err).__name__}: {err}")
out.write_text(json.dumps({"reads": reads, "errors": errors, "counts": counts}))
"""

# What a reader may answer while the first vectors are not there yet.
CLI_NOT_YET = ("No image", "no vectors", "No collection")


@dataclass
class StressResult:
    n_images: int
    kills: int = 0
    kills_mid_run: int = 0
    cycles_survived: int = 0
    vectors_lost: int = 0
    embedded_total: int = 0
    second_writer_waited: bool = False
    python_reads: int = 0
    cli_runs: int = 0
    server_requests: int = 0
    server_follow_seconds: float = 0.0
    max_abs_diff: float = 0.0
    neighbours_equal: bool = False
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    clean_seconds: float = 0.0  # the uninterrupted in-process run of the same images

    def __str__(self) -> str:
        return (
            f"{self.cycles_survived} kill/resume cycles survived ({self.kills} kill -9, "
            f"{self.kills_mid_run} mid-run), vectors lost: {self.vectors_lost}, images "
            f"embedded {self.embedded_total} times for {self.n_images} images; second "
            f"writer waited: {self.second_writer_waited}; readers: {self.python_reads} "
            f"Python reads, {self.cli_runs} CLI runs, {self.server_requests} server "
            f"requests; server caught up in {self.server_follow_seconds:.1f} s; largest "
            f"vector difference from a clean run {self.max_abs_diff:.2e}, neighbours equal: "
            f"{self.neighbours_equal}; errors: {len(self.errors)}; {self.seconds:.0f} s"
        )


def readable_vectors(col_path: Path) -> int:
    """How many images have a vector on disk now (a fresh reader's view)."""
    if not (col_path / "catalog.sqlite").exists():
        return 0
    store = Store.open(col_path)
    try:
        models = store.catalog.models()
        if not models:
            return 0
        model = models[0][0]
        return len(store.catalog.embedding_rows(model)) - len(store.damage(model))
    finally:
        store.close()


def run_count(col_path: Path) -> int:
    """How many index runs have started (a plain read of the catalog)."""
    try:
        with sqlite3.connect(f"file:{col_path / 'catalog.sqlite'}?mode=ro", uri=True) as db:
            return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


class _Loop(threading.Thread):
    def __init__(self, body, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.body, self.stop = body, stop

    def run(self) -> None:
        while not self.stop.is_set():
            self.body()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_stress(
    images: Path, col_path: Path, *, kills: int, seed: int, kill_after=(0.0, 2.0)
) -> StressResult:
    """The whole scenario (see the module docstring); fills a :class:`StressResult`."""
    import requests

    t_start = time.monotonic()
    # One generator per thread: the kill moments depend on the seed alone.
    kill_rng, cli_rng, server_rng = (np.random.default_rng([seed, i]) for i in range(3))
    paths = sorted(images.iterdir())
    result = StressResult(n_images=len(paths))
    work = col_path.parent
    stop_file = work / "stop-readers"
    stop = threading.Event()
    lock = threading.Lock()

    def error(message: str) -> None:
        with lock:
            result.errors.append(message)

    # -- readers: a Python process, CLI runs, a server started mid-index -----------------
    py_out = work / "py-reader.json"
    py_reader = subprocess.Popen(
        [sys.executable, "-c", PY_READER, *map(str, (col_path, stop_file, py_out, seed))], env=ENV
    )

    def cli_once() -> None:
        target = paths[int(cli_rng.integers(len(paths)))]
        run = subprocess.run(
            lookalike_cmd("neighbors", col_path, target, "-k", 3),
            capture_output=True,
            text=True,
            env=ENV,
        )
        result.cli_runs += 1
        said = " ".join((run.stdout + run.stderr).split())
        if run.returncode != 0 and not any(s in said for s in CLI_NOT_YET):
            error(f"lookalike neighbors exit {run.returncode}: {said[-300:]}")

    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    server: list[subprocess.Popen] = []

    def ids_now() -> list[str]:
        store = Store.open(col_path)
        try:
            return [r.id for r in store.catalog.images(status="ok")]
        finally:
            store.close()

    def server_once() -> None:
        if not server:
            if readable_vectors(col_path) == 0:
                time.sleep(0.1)
                return
            server.append(
                subprocess.Popen(
                    lookalike_cmd("serve", col_path, "--port", port),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=ENV,
                )
            )
        ids = ids_now()
        try:
            image_id = ids[int(server_rng.integers(len(ids)))]
            r = requests.get(f"{base}api/neighbors/{image_id}?k=3", timeout=30)
        except requests.ConnectionError:  # still starting
            if server[0].poll() is not None:
                error(f"the server exited: {server[0].stderr.read().decode()[-300:]}")
                stop.set()
            time.sleep(0.2)
            return
        result.server_requests += 1
        if r.status_code >= 500 or r.status_code not in (200, 404):
            error(f"server {r.status_code}: {r.text[:300]}")
        time.sleep(0.2)

    loops = [_Loop(cli_once, stop), _Loop(server_once, stop)]
    for loop in loops:
        loop.start()

    # -- the writer: killed at random moments, resumed --------------------------------
    seen = 0

    def observe() -> None:
        nonlocal seen
        now = readable_vectors(col_path)
        if now < seen:
            result.vectors_lost += seen - now
            error(f"vectors went from {seen} to {now}")
        seen = max(seen, now)

    index_cmd = lookalike_cmd("index", images, "-c", col_path, "--batch-size", 8, "--no-progress")
    for _ in range(kills):
        before, runs = readable_vectors(col_path), run_count(col_path)
        writer = subprocess.Popen(
            index_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV
        )
        # The moment: a random time after the run started (its process is up, it holds
        # the writer lock and has tidied), within the time its embedding takes.
        while writer.poll() is None and run_count(col_path) == runs:
            time.sleep(0.02)
        deadline = time.monotonic() + kill_rng.uniform(*kill_after)
        while time.monotonic() < deadline and writer.poll() is None:
            time.sleep(0.02)
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
            result.kills += 1
        writer.wait()
        observe()
        if before < seen < len(paths):
            result.kills_mid_run += 1
        result.cycles_survived += 1

    # -- two writers at once finish the work -----------------------------------------
    both = [
        subprocess.Popen(index_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in both]
    for p, (out, err) in zip(both, outs, strict=True):
        if p.returncode != 0:
            error(f"index exit {p.returncode}: {out.decode()[-300:]} {err.decode()[-300:]}")
    result.second_writer_waited = any(b"Another process is writing" in e for _, e in outs)
    embedded_now = [
        int(m.group(1)) for o, _ in outs for m in re.finditer(rb"vectors: (\d+) embedded", o)
    ]
    if len(embedded_now) != 2:  # a summary this cannot read must not pass as "fine"
        error(f"could not read both final runs' summaries: {[o[-300:] for o, _ in outs]}")
    elif min(embedded_now) != 0:
        error(f"both final runs embedded images: {embedded_now}")
    observe()

    # -- the server follows: the last image indexed is answered (timed), then all -------
    def answered(image_id: str) -> bool:
        try:
            r = requests.get(f"{base}api/neighbors/{image_id}?k=3", timeout=30)
            c = requests.get(
                f"{base}catalogue/v2/images/{image_id}?include=visuallySimilar", timeout=30
            )
        except requests.ConnectionError:
            return False
        return r.status_code == 200 and c.status_code == 200

    t0 = time.monotonic()
    ids = ids_now()
    while server and not answered(ids[-1]) and time.monotonic() - t0 < 30:
        time.sleep(0.1)
    result.server_follow_seconds = time.monotonic() - t0
    unanswered = [i for i in ids if not server or not answered(i)]
    if unanswered:
        error(f"the server never answered for {len(unanswered)} of {len(ids)} images")

    stop.set()
    stop_file.touch()
    for loop in loops:
        loop.join(timeout=60)
    py_reader.wait(timeout=60)
    for s in server:
        s.terminate()
        s.wait(timeout=30)
    reader = json.loads(py_out.read_text())
    result.python_reads = reader["reads"]
    result.errors += [f"python reader: {e}" for e in reader["errors"]]
    drops = [a - b for a, b in zip(reader["counts"], reader["counts"][1:], strict=False) if b < a]
    if drops:
        result.vectors_lost += sum(drops)
        error(f"the Python reader saw the vectors shrink {len(drops)} times")

    # -- the end state equals a clean run -------------------------------------------------
    col = lookalike.open(col_path)
    result.embedded_total = sum(r["n_embedded"] for r in col.info().runs)
    health = col.check()
    if not health.ok or health.stray_files:
        error(f"check: {health}")
    chunks = list((col_path / "vectors" / col.models[0]).iterdir())
    if len(chunks) != 1:
        error(f"{len(chunks)} vector files, not one compacted chunk")
    t_clean = time.monotonic()
    clean = lookalike.create(work / "clean")
    clean.index(images, batch_size=32, progress=False)
    result.clean_seconds = time.monotonic() - t_clean
    compare(col, clean, result)
    result.vectors_lost += max(0, len(paths) - len(col.embeddings()))
    result.seconds = time.monotonic() - t_start
    return result


def neighbour_lists(col: lookalike.Collection, k: int = 5) -> dict[str, list[str]]:
    emb = col.embeddings()
    order = np.argsort(emb.ids)
    ids, vectors = emb.ids[order], np.asarray(emb.vectors)[order]
    _, rows = FlatIndex.from_vectors(vectors).search(vectors, k + 1)
    out = {}
    for i, image_id in enumerate(ids):
        keep = [r for j, r in enumerate(rows[i]) if r != i and r >= 0]
        out[image_id] = [ids[r] for r in keep[:k]]
    return out


def compare(col: lookalike.Collection, clean: lookalike.Collection, result: StressResult) -> None:
    """Same ids, same vectors (float tolerance), same neighbours as the clean run."""
    a, b = col.embeddings(), clean.embeddings()
    if sorted(a.ids) != sorted(b.ids):
        result.errors.append(f"ids differ: {len(set(a.ids) ^ set(b.ids))} not in both")
        return
    pos = b.positions()
    diff = np.abs(np.asarray(a.vectors) - np.asarray(b.vectors)[[pos[i] for i in a.ids]])
    result.max_abs_diff = float(diff.max())
    if result.max_abs_diff > 1e-4:
        result.errors.append(f"vectors differ by up to {result.max_abs_diff:.2e}")
    na, nb = neighbour_lists(col), neighbour_lists(clean)
    result.neighbours_equal = na == nb
    if not result.neighbours_equal:
        n = sum(na[i] != nb[i] for i in na)
        result.errors.append(f"neighbours differ for {n} images")
