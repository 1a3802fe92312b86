"""The one HTTP client of the remote sources: a server's Retry-After is waited for, and
the IIIF and catalogue sources keep what they fetch under one cache root, against real
HTTP servers on localhost."""

from __future__ import annotations

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from lookalike.sources.catalogue import from_catalogue
from lookalike.sources.http import HttpClient, cache_root, retry_after
from lookalike.sources.iiif import IIIFClient, from_iiif
from tests.sources.test_iiif import Server, manifest_v3


@pytest.fixture()
def busy_server():
    """Answers 429 with ``Retry-After: 1`` to the first request, then 200; keeps the
    time each request arrived."""
    arrivals: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            arrivals.append(time.monotonic())
            status, body = (429, b"slow down") if len(arrivals) == 1 else (200, b"ok")
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", arrivals
    httpd.shutdown()
    httpd.server_close()


def test_retry_after_is_honoured(busy_server):
    url, arrivals = busy_server
    client = HttpClient(user_agent="test", rate=1000, retries=2, backoff=0.01)
    response = client.get(url)
    client.close()
    assert response.status_code == 200 and response.content == b"ok"
    assert len(arrivals) == 2
    # The server asked for a second's wait, not the 0.01 s backoff.
    assert arrivals[1] - arrivals[0] >= 0.95


def test_retry_after_as_seconds_or_a_date():
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now=1445412480.0) == 5.0
    assert retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now=1445412500.0) == 0.0  # past
    assert retry_after("soon") is None and retry_after(None) is None


def files_under(folder) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()}


def test_one_cache_root_for_every_source(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("LOOKALIKE_CACHE", str(root))
    assert cache_root() == root
    server = Server()
    server.thread.start()
    try:
        server.documents["/m.json"] = manifest_v3(server, "m", ["chelsea"])
        listing = "/catalogue/v2/images?pageSize=100"
        server.documents[listing] = {
            "results": [{"id": "c1", "thumbnail": {"url": server.url("/iiif/coffee/info.json")}}]
        }
        iiif = from_iiif(server.url("/m.json"))  # the default client: fetches the picture
        catalogue = list(from_catalogue(server.url("/catalogue/v2/images"), max_side=256))
        catalogue[0].loader(catalogue[0].uri)
        again = list(from_catalogue(server.url("/catalogue/v2/images"), max_side=256))
        assert server.requests.count(listing) == 2  # the list is asked for on every run
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    # Both sources keep their pictures under the one root, one folder each.
    assert sorted(p.name for p in root.iterdir()) == ["catalogue", "iiif"]
    assert len(files_under(root / "iiif")) == 1
    # Offline now: the pictures come from the cache, through new clients.
    picture = IIIFClient().get_image(iiif[0].uri)
    assert Image.open(io.BytesIO(picture)).size[0] > 0
    picture = again[0].loader(again[0].uri)
    assert Image.open(io.BytesIO(picture)).size == (256, 171)


def test_a_download_cut_short_is_fetched_again_into_an_emptied_file(tmp_path):
    """The first answer promises the whole body and sends half; the second is whole:
    the file holds the body once."""
    body = bytes(range(256)) * 16384  # 4 MiB: half of it is more than a chunk (1 MiB)
    arrivals: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            arrivals.append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body if len(arrivals) > 1 else body[: len(body) // 2])
            self.close_connection = True

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    client = HttpClient(user_agent="test", rate=1000, retries=2, backoff=0.01)
    try:
        with open(tmp_path / "out", "wb") as file:
            response = client.download(f"http://127.0.0.1:{httpd.server_address[1]}/", file)
    finally:
        client.close()
        httpd.shutdown()
        httpd.server_close()
    assert response.status_code == 200 and len(arrivals) == 2
    assert (tmp_path / "out").read_bytes() == body
