"""What every route owes HTTP and a shared machine: HEAD, 413/403 before a body is
read (chunked too), URLs never from the Host header, bounded duplicate queries, no
computed result written into the collection, and IIIF memory on a huge PNG measured
on a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import requests
from fastapi.testclient import TestClient
from PIL import Image

import lookalike
from lookalike.server import Settings, create_app
from tests.server.conftest import free_port
from tests.server.test_api import assert_error


def test_head_answers_on_every_get_route(client, ids):
    image = ids["coffee.jpg"]
    for url in [
        f"/catalogue/v2/images/{image}",
        "/catalogue/v2/images",
        f"/iiif/{image}/info.json",
        f"/iiif/{image}/full/100,/0/default.jpg",
        f"/api/neighbors/{image}",
        "/api/collection",
        "/openapi.json",
        "/",
    ]:
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


def _chunked(port: int, path: str, size: int) -> tuple[int, bytes]:
    """POST ``size`` bytes with chunked transfer encoding (no Content-Length)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
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
            pass  # the server answered and closed before the end: fine
        data = b""
        while b"\r\n\r\n" not in data:
            part = s.recv(65536)
            if not part:
                break
            data += part
    return int(data.split(b" ", 2)[1]), data


def test_oversize_bodies_are_413_and_read_only_labels_403_before_reading(server_col):
    from tests.server.conftest import LiveServer

    with LiveServer(create_app(server_col)) as server:
        status, _ = _chunked(server.port, "/api/neighbors", 24 << 20)
        assert status == 413
        status, _ = _chunked(server.port, "/api/labels", 24 << 20)
        assert status == 403
        big = requests.post(server.url + "api/neighbors", data=b"x" * (21 << 20), timeout=20)
        assert big.status_code == 413 and "limit of 20971520 bytes" in big.json()["description"]
        assert requests.get(server.url + "api/collection", timeout=10).status_code == 200


def test_absolute_urls_never_come_from_the_host_header(server_col, ids):
    from tests.server.conftest import LiveServer

    image = ids["coffee.jpg"]
    evil = {"Host": "evil.example"}
    with LiveServer(create_app(server_col)) as server:
        info = requests.get(f"{server.url}iiif/{image}/info.json", headers=evil, timeout=10)
        assert info.json()["id"] == f"{server.url}iiif/{image}"  # the bound address
    settings = Settings(public_url="https://images.example.org/lookalike")
    with TestClient(create_app(server_col, settings=settings)) as c:
        body = c.get(f"/catalogue/v2/images/{image}", headers=evil).json()
        assert body["thumbnail"]["url"] == (
            f"https://images.example.org/lookalike/iiif/{image}/info.json"
        )
        redirect = c.get(f"/iiif/{image}", headers=evil, follow_redirects=False)
        assert redirect.headers["location"].startswith("https://images.example.org/")


def test_duplicate_queries_are_bounded_and_nothing_is_written(tmp_path):
    """A threshold below the floor, or one whose pairs exceed the budget, is a 400 that
    names the bound; clusters, maps and paths are served without writing index/."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((3, 64))
    vectors = centres[rng.integers(0, 3, 600)] + 0.3 * rng.standard_normal((600, 64))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    col = lookalike.create(tmp_path / "col")
    photos = tmp_path / "photos"
    photos.mkdir()
    paths = []
    for i in range(600):  # tiny real files stand for the images the vectors describe
        paths.append(photos / f"img{i:04d}.png")
        Image.new("RGB", (8, 8), (i % 256, i // 256, 0)).save(paths[-1])
    np.save(tmp_path / "v.npy", vectors.astype(np.float32))
    (tmp_path / "ids.txt").write_text("\n".join(str(p) for p in paths) + "\n")
    col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="synthetic")
    ids = list(col.images()["id"])
    files = lambda: sorted(p.relative_to(col.root) for p in (col.root / "index").rglob("*"))  # noqa: E731
    before = files()
    settings = Settings(max_duplicate_pairs=1000)
    with TestClient(create_app(col, settings=settings)) as c:
        assert_error(c.get("/api/duplicates", params={"threshold": -1}), 400, r"floor of 0.5")
        too_many = c.get("/api/duplicates", params={"threshold": 0.5, "limit": 1})
        assert_error(too_many, 400, r"gives about [\d,]+ pairs, over this server's budget of 1,000")
        fine = c.get("/api/duplicates", params={"threshold": 0.999}).json()
        assert fine["total"] <= 1000
        assert c.get("/api/clusters", params={"k": 5}).json()["images"] == 600
        assert len(c.get("/api/map", params={"method": "pca"}).json()["x"]) == 600
        assert c.get("/api/path", params={"a": ids[0], "b": ids[1]}).status_code == 200
        assert c.app.state.results.bytes <= settings.results_cache_bytes
    assert files() == before  # the server computed, and wrote nothing


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_iiif_on_a_huge_png_stays_small_in_a_real_server(tmp_path):
    """A 14000 x 14000 palette PNG (under the 200 Mpx limit): 8 concurrent IIIF
    requests, each a cache miss, in a real `lookalike serve` process."""
    photos = tmp_path / "photos"
    photos.mkdir()
    side = 14_000
    stripes = (np.arange(side)[None, :] // 700 + np.arange(side)[:, None] // 700) % 8
    Image.fromarray(stripes.astype(np.uint8), "P").save(photos / "huge.png", optimize=False)
    col = lookalike.create(tmp_path / "col")
    col.index(photos, model="test-pixels", progress=False)
    image = col.images()["id"][0]
    port = free_port()
    env = {**os.environ, "COLUMNS": "80"}
    cmd = [sys.executable, "-m", "lookalike.cli", "serve", str(col.root), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "api/collection", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        idle = _peak_rss_mb(proc.pid)
        statuses = []
        sizes = [100, 101, 102, 103, 104, 105, 106, 107]

        def fetch(w: int) -> None:
            url = f"{base}iiif/{image}/full/{w},/0/default.jpg"
            statuses.append(requests.get(url, timeout=120).status_code)

        threads = [threading.Thread(target=fetch, args=(w,)) for w in sizes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = _peak_rss_mb(proc.pid)
        print(f"server peak RSS: idle {idle:.0f} MB, after 8 IIIF requests {peak:.0f} MB")
        assert statuses == [200] * 8
        assert peak < 1500, f"{peak:.0f} MB"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
