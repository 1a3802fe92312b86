"""Load test of ``lookalike serve``: a 20k-image collection (synthetic vectors, real
picture files), 50 concurrent keep-alive clients for 30 s on localhost, on the
similar-images endpoint and on 400-px IIIF thumbnails.

Prints requests/s, p50/p99 latency and errors per endpoint, and the ratio of the
server's similar-images throughput to a baseline run in this process: exact
``Collection.neighbors`` calls, one after another, with no HTTP.

    python bench/serve.py                     # full size (about 2-3 minutes)
    python bench/serve.py --n 2000 --seconds 5  # a quick look

Targets: zero errors, p99 under 100 ms for similar images.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import lookalike  # noqa: E402
from lookalike.imaging import content_hash  # noqa: E402
from lookalike.store import Store  # noqa: E402

MODEL = "bench-synthetic"
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle_left", "hubble_deep_field")


def build_collection(path: Path, n: int, dim: int, seed: int = 0) -> list[str]:
    """``n`` images: synthetic clustered unit vectors, each row a link to one of six
    real photos (so IIIF has real pictures to cut). Returns the image ids."""
    from tests.conftest import skimage_photo

    photos, sizes = [], []
    for name in PHOTOS:
        im = skimage_photo(name)
        p = path.parent / f"{name}.jpg"
        im.save(p, quality=90)
        photos.append(p)
        sizes.append(im.size)
    links = path.parent / "links"
    links.mkdir()
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // 100), dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.standard_normal(
        (n, dim)
    ).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows, hashes = [], []
    for i in range(n):
        j = i % len(photos)
        link = links / f"{i:06d}.jpg"
        os.symlink(photos[j], link)
        h = content_hash(f"synthetic-{i}".encode())
        rows.append(
            {
                "id": h[:12],
                "uri": str(link),
                "content_hash": h,
                "pixel_hash": None,
                "bytes": photos[j].stat().st_size,
                "width": sizes[j][0],
                "height": sizes[j][1],
                "mtime": None,
                "status": "ok",
                "error": None,
                "metadata": {},
            }
        )
        hashes.append(h)
    store = Store.create(path)
    store.commit(MODEL, dim, rows, hashes, vectors)
    store.close()
    return [r["id"] for r in rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path, port: int) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    cmd = [sys.executable, "-m", "lookalike.cli", "serve", str(path), "--port", str(port)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)


_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


async def _client(port: int, paths, deadline: float, latencies: list, errors: list) -> None:
    """One keep-alive HTTP/1.1 connection sending requests back to back."""
    reader = writer = None
    while time.perf_counter() < deadline:
        path = paths()
        t0 = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            m = _LENGTH.search(head)
            await reader.readexactly(int(m.group(1)) if m else 0)
        except (OSError, asyncio.IncompleteReadError, ValueError) as err:
            errors.append(f"{type(err).__name__}: {err}")
            writer = None
            continue
        latencies.append(time.perf_counter() - t0)
        if status != 200:
            errors.append(f"HTTP {status} for {path}")


async def load(port: int, paths, *, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(_client(port, paths, deadline, latencies, errors) for _ in range(clients))
    )
    elapsed = time.perf_counter() - start
    lat = np.array(latencies) * 1000 if latencies else np.zeros(1)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": float(np.percentile(lat, 50)),
        "p99": float(np.percentile(lat, 99)),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baseline(path: Path, ids: list[str], seconds: float) -> float:
    """Exact ``Collection.neighbors`` calls per second in this process (no HTTP)."""
    col = lookalike.open(path)
    col.neighbors(ids[0], k=5)
    rng = random.Random(1)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        col.neighbors(rng.choice(ids), k=5)
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="images")
    parser.add_argument("--dim", type=int, default=1280, help="vector size (the default model's)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="per endpoint")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lookalike-bench-serve-") as tmp:
        path = Path(tmp) / "col"
        t0 = time.perf_counter()
        ids = build_collection(path, args.n, args.dim)
        took = time.perf_counter() - t0
        print(f"collection: {args.n} images, {args.dim}-d vectors ({took:.1f} s)")
        base_rps = baseline(path, ids, min(5.0, args.seconds))
        port = free_port()
        proc, startup = start_server(path, port)
        print(f"server up in {startup:.1f} s (includes the similar-images table)")
        rng = random.Random(0)
        endpoints = {
            "similar images": lambda: (
                f"/catalogue/v2/images/{rng.choice(ids)}?include=visuallySimilar"
            ),
            "IIIF 400px": lambda: f"/iiif/{rng.choice(ids)}/full/400,/0/default.jpg",
        }
        results = {}
        try:
            for name, paths in endpoints.items():
                asyncio.run(load(port, paths, clients=3, seconds=1.0))  # warm up
                server0, client0 = cpu_seconds(proc.pid), time.process_time()
                r = asyncio.run(load(port, paths, clients=args.clients, seconds=args.seconds))
                n = max(1, r["requests"])
                r["server_cpu"] = (cpu_seconds(proc.pid) - server0) / n * 1000
                r["client_cpu"] = (time.process_time() - client0) / n * 1000
                results[name] = r
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    print(
        f"\n{args.clients} concurrent clients, {args.seconds:.0f} s per endpoint, "
        f"{os.cpu_count()} cores shared by server and clients; "
        f"load average before: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'endpoint':<16} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'server CPU ms/req':>18} {'client CPU ms/req':>18}"
    )
    for name, r in results.items():
        print(
            f"{name:<16} {r['requests']:>9} {r['rps']:>7.0f} {r['p50']:>7.1f} "
            f"{r['p99']:>7.1f} {r['errors']:>6} {r['server_cpu']:>18.2f} {r['client_cpu']:>18.2f}"
        )
        if r["first_error"]:
            print(f"  first error: {r['first_error']}")
    sim = results["similar images"]
    print(
        f"\nbaseline: exact Collection.neighbors in-process, one at a time: {base_rps:.0f}/s; "
        f"server similar images: {sim['rps']:.0f}/s = {sim['rps'] / base_rps:.1f}x baseline"
    )
    ok = sim["errors"] == 0 and sim["p99"] < 100
    print(f"target (0 errors, p99 < 100 ms for similar images): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
