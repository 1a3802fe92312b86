"""The server under hostile requests, before and after bounding its work: peak memory
(VmHWM of the server process) through a fixed sequence of hostile requests, and
similar-images throughput with 50 local clients (rounds alternating between the two
servers, both up), for the ``main`` branch's server
("before", run from ``--before-src``, default /work/main/src) and this checkout's
("after"), printed side by side.

    python bench/serve_hostile.py [--n 3000] [--seconds 15]

The collection: ``n`` images with synthetic clustered 1280-d vectors linked to real
photos (as in bench/serve.py), plus a 14000 x 14000 palette PNG (about 190 KB). The
hostile requests, in this order (the peak is read after each; it only grows):

1. 8 concurrent IIIF requests on the big PNG, sizes 100..107 (each a cache miss);
2. 4 concurrent uploads of a 7000 x 7000 palette PNG (49 Mpx, about 47 KB);
3. ``/api/clusters?k=37`` and ``/api/map?method=umap`` (files written into index/?);
4. ``/api/duplicates?threshold=-1&limit=1`` (every pair of the collection);
5. HTTP: a chunked 24 MiB body to ``/api/neighbors`` and ``/api/labels``, ``HEAD``,
   a forged ``Host`` header, CORS.

Every request is sent to 127.0.0.1 only, with bounded counts and timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.serve import build_collection, cpu_seconds, free_port, load  # noqa: E402

from lookalike.imaging import content_hash  # noqa: E402
from lookalike.store import Store  # noqa: E402

MODEL = "bench-synthetic"


def stripes_png(path: Path, side: int) -> Path:
    """A palette PNG of ``side x side`` pixels that compresses to a few hundred KB."""
    pattern = (np.arange(side)[None, :] // 700 + np.arange(side)[:, None] // 700) % 8
    Image.fromarray(pattern.astype(np.uint8), "P").save(path)
    return path


def add_big_png(col_path: Path, png: Path, dim: int) -> str:
    """Catalogue ``png`` in the collection with a random vector; its id."""
    h = content_hash(png.read_bytes())
    with Image.open(png) as im:
        width, height = im.size
    row = {
        "id": h[:12],
        "uri": str(png),
        "content_hash": h,
        "pixel_hash": None,
        "bytes": png.stat().st_size,
        "width": width,
        "height": height,
        "mtime": None,
        "status": "ok",
        "error": None,
        "metadata": {},
    }
    vector = np.random.default_rng(7).standard_normal((1, dim)).astype(np.float32)
    vector /= np.linalg.norm(vector)
    store = Store.open(col_path)
    store.commit(MODEL, dim, [row], [h], vector)
    store.close()
    return row["id"]


def start(src: Path, col: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{ROOT}", "COLUMNS": "80"}
    cmd = [sys.executable, "-m", "lookalike.cli", "serve", str(col), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            requests.get(f"http://127.0.0.1:{port}/api/collection", timeout=5)
            return proc
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def memory_mb(pid: int) -> tuple[float, float]:
    """(peak, current) resident memory of a process in MB (VmHWM, VmRSS)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmHWM"], fields["VmRSS"]


def concurrent(urls_and_kwargs: list[tuple[str, str, dict]]) -> list[str]:
    """Send requests at once from threads; their statuses (or the exception's name)."""
    out = [""] * len(urls_and_kwargs)

    def send(i: int, method: str, url: str, kwargs: dict) -> None:
        try:
            out[i] = str(requests.request(method, url, timeout=600, **kwargs).status_code)
        except requests.RequestException as err:
            out[i] = type(err).__name__

    threads = [
        threading.Thread(target=send, args=(i, m, u, k))
        for i, (m, u, k) in enumerate(urls_and_kwargs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def chunked(port: int, path: str, size: int) -> str:
    """POST ``size`` bytes of a multipart upload with chunked encoding; the status."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
            s.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\n\r\n".encode()
            )
            head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'
            s.sendall(b"%x\r\n%s\r\n" % (len(head), head))
            chunk = b"x" * (1 << 20)
            try:
                for _ in range(size // len(chunk)):
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                s.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # answered and closed early
            data = b""
            while b"\r\n\r\n" not in data:
                part = s.recv(65536)
                if not part:
                    break
                data += part
        return data.split(b" ", 2)[1].decode() if data else "closed"
    except OSError as err:
        return type(err).__name__


def index_files(col: Path) -> set[str]:
    return {str(p.relative_to(col)) for p in (col / "index").rglob("*") if p.is_file()}


def throughput(servers: dict, ids: dict, args) -> dict[str, dict[str, str]]:
    """Similar-images load on each server in turn, ``--rounds`` times (the machine is
    shared: interleaving spreads the noise over both); median req/s and p99."""
    rng = random.Random(0)
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    for _ in range(args.rounds):
        for name, (proc, port) in servers.items():

            def similar(name=name) -> str:
                return f"/catalogue/v2/images/{rng.choice(ids[name])}?include=visuallySimilar"

            asyncio.run(load(port, similar, clients=3, seconds=0.5))  # warm up
            cpu0 = cpu_seconds(proc.pid)
            r = asyncio.run(load(port, similar, clients=args.clients, seconds=args.seconds))
            r["cpu"] = (cpu_seconds(proc.pid) - cpu0) / max(1, r["requests"]) * 1000
            runs[name].append(r)
    out = {}
    for name, rs in runs.items():
        out[name] = {
            "similar images: req/s (median)": f"{np.median([r['rps'] for r in rs]):.0f}",
            "similar images: p99 ms (median)": f"{np.median([r['p99'] for r in rs]):.1f}",
            "similar images: server CPU ms/req": f"{np.median([r['cpu'] for r in rs]):.2f}",
            "similar images: errors": str(sum(r["errors"] for r in rs)),
        }
    return out


def hostile(proc: subprocess.Popen, port: int, col: Path, big: str, upload: bytes) -> dict:
    """The hostile requests, in order; the figures of each."""
    base = f"http://127.0.0.1:{port}/"
    rows: dict[str, str] = {}
    iiif = [("GET", f"{base}iiif/{big}/full/{w},/0/default.jpg", {}) for w in range(100, 108)]
    t0 = time.perf_counter()
    statuses = concurrent(iiif)
    rows["8 IIIF on 14000^2 PNG: statuses"] = ",".join(sorted(set(statuses)))
    rows["8 IIIF on 14000^2 PNG: seconds"] = f"{time.perf_counter() - t0:.1f}"
    rows["8 IIIF on 14000^2 PNG: peak RSS MB"] = f"{memory_mb(proc.pid)[0]:.0f}"

    files = {"file": ("big.png", upload, "image/png")}
    uploads = [("POST", f"{base}api/neighbors?k=5", {"files": files}) for _ in range(4)]
    statuses = concurrent(uploads)
    rows["4 uploads of 49 Mpx PNG: statuses"] = ",".join(sorted(set(statuses)))
    rows["4 uploads of 49 Mpx PNG: peak RSS MB"] = f"{memory_mb(proc.pid)[0]:.0f}"

    before = index_files(col)
    t0 = time.perf_counter()
    c = requests.get(f"{base}api/clusters?k=37", timeout=600).status_code
    m = requests.get(f"{base}api/map?method=umap", timeout=600).status_code
    written = index_files(col) - before
    rows["clusters k=37, umap map: statuses"] = f"{c},{m}"
    rows["clusters k=37, umap map: seconds"] = f"{time.perf_counter() - t0:.1f}"
    rows["clusters k=37, umap map: files written"] = str(len(written))
    rows["clusters k=37, umap map: peak RSS MB"] = f"{memory_mb(proc.pid)[0]:.0f}"

    t0 = time.perf_counter()
    d = requests.get(f"{base}api/duplicates?threshold=-1&limit=1", timeout=900)
    rows["duplicates threshold=-1: status"] = str(d.status_code)
    rows["duplicates threshold=-1: seconds"] = f"{time.perf_counter() - t0:.1f}"
    peak, now = memory_mb(proc.pid)
    rows["duplicates threshold=-1: peak RSS MB"] = f"{peak:.0f}"
    rows["afterwards: RSS still held MB"] = f"{now:.0f}"

    rows["chunked 24 MiB /api/neighbors"] = chunked(port, "/api/neighbors", 24 << 20)
    rows["chunked 24 MiB /api/labels"] = chunked(port, "/api/labels", 24 << 20)
    rows["HEAD /api/collection"] = str(requests.head(f"{base}api/collection").status_code)
    info = requests.get(
        f"{base}iiif/{big}/info.json",
        headers={"Host": "evil.example", "Origin": "https://viewer.example"},
        timeout=30,
    )
    rows["info.json id with Host: evil.example"] = info.json()["id"].split("/iiif/")[0]
    rows["CORS allow-origin on info.json"] = info.headers.get("access-control-allow-origin", "-")
    rows["final peak RSS MB"] = f"{memory_mb(proc.pid)[0]:.0f}"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="images (synthetic vectors)")
    parser.add_argument("--dim", type=int, default=1280)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round of load")
    parser.add_argument("--rounds", type=int, default=3, help="of load, alternating servers")
    parser.add_argument("--before-src", type=Path, default=Path("/work/main/src"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lookalike-bench-hostile-") as tmp:
        tmp = Path(tmp)
        big_png = stripes_png(tmp / "big-14000.png", 14_000)
        upload = stripes_png(tmp / "upload-7000.png", 7_000).read_bytes()
        print(
            f"big PNG: 14000x14000, {big_png.stat().st_size / 1024:.0f} KB; "
            f"upload: 7000x7000, {len(upload) / 1024:.0f} KB",
            flush=True,
        )
        sides = {"before": args.before_src, "after": ROOT / "src"}
        cols, ids, bigs, servers = {}, {}, {}, {}
        try:
            for name, src in sides.items():
                cols[name] = tmp / name / "col"
                cols[name].parent.mkdir()
                ids[name] = build_collection(cols[name], args.n, args.dim)
                bigs[name] = add_big_png(cols[name], big_png, args.dim)
                port = free_port()
                servers[name] = (start(src, cols[name], port), port)
            results = {name: {"idle: peak RSS MB": ""} for name in sides}
            for name, (proc, _) in servers.items():
                results[name]["idle: peak RSS MB"] = f"{memory_mb(proc.pid)[0]:.0f}"
            for name, rows in throughput(servers, ids, args).items():
                results[name].update(rows)
            for name, (proc, port) in servers.items():
                results[name].update(hostile(proc, port, cols[name], bigs[name], upload))
                print(f"{name}: done", flush=True)
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()

    print(
        f"\n{args.n + 1} images ({args.dim}-d synthetic vectors + the big PNG); "
        f"{args.clients} clients, {args.rounds} rounds x {args.seconds:.0f} s per server; "
        f"{os.cpu_count()} cores shared; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    print(f"{'':<42} {'before':>22} {'after':>22}")
    for key in results["before"]:
        print(f"{key:<42} {results['before'][key]:>22} {results['after'].get(key, ''):>22}")


if __name__ == "__main__":
    main()
