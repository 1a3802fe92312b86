"""IIIF manifests and collections (2.x and 3.0) as a source, against a real HTTP server
started by the test that serves manifests made here and a IIIF Image API over real
photos."""

from __future__ import annotations

import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from PIL import Image
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app
from lookalike.sources import records_from
from lookalike.sources.iiif import IIIFClient, NotIIIF, SourceUnavailable, from_iiif
from tests.conftest import skimage_photo

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
MODEL = "test-pixels"


class Server:
    """manifests: path -> JSON; files: path -> bytes as they are; images:
    /iiif/<name>/full/!w,h/0/default.jpg."""

    def __init__(self) -> None:
        self.documents: dict[str, object] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.fail_next: dict[str, int] = {}  # path prefix -> number of 503 answers
        self.photos = {name: skimage_photo(name) for name in PHOTOS}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = unquote(self.path)
                server.requests.append(path)
                for prefix, n in server.fail_next.items():
                    if path.startswith(prefix) and n > 0:
                        server.fail_next[prefix] = n - 1
                        return self._send(503, b"busy", "text/plain")
                if path in server.documents:
                    body = json.dumps(server.documents[path]).encode()
                    return self._send(200, body, "application/json")
                if path in server.files:
                    return self._send(200, server.files[path], "application/octet-stream")
                m = re.fullmatch(r"/iiif/(\w+)/full/!(\d+),(\d+)/0/default\.jpg", path)
                if m and m[1] in server.photos:
                    im = server.photos[m[1]].copy()
                    im.thumbnail((int(m[2]), int(m[3])))
                    buf = io.BytesIO()
                    im.save(buf, "JPEG", quality=90)
                    return self._send(200, buf.getvalue(), "image/jpeg")
                return self._send(404, b"not found", "text/plain")

            def _send(self, status, body, kind):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture()
def client(tmp_path):
    return IIIFClient(size=256, rate=1000, backoff=0.01, cache_dir=tmp_path / "cache")


def manifest_v2(s: Server, name: str, photos: list[str]) -> dict:
    return {
        "@context": "http://iiif.io/api/presentation/2/context.json",
        "@id": s.url(f"/{name}.json"),
        "@type": "sc:Manifest",
        "label": f"Manifest {name}",
        "sequences": [
            {
                "@type": "sc:Sequence",
                "canvases": [
                    {
                        "@id": s.url(f"/{name}/canvas/{i}"),
                        "@type": "sc:Canvas",
                        "label": f"p. {i + 1}",
                        "images": [
                            {
                                "@type": "oa:Annotation",
                                "resource": {
                                    "@id": s.url(f"/iiif/{p}/full/full/0/default.jpg"),
                                    "@type": "dctypes:Image",
                                    "service": {
                                        "@context": "http://iiif.io/api/image/2/context.json",
                                        "@id": s.url(f"/iiif/{p}"),
                                        "profile": "http://iiif.io/api/image/2/level1.json",
                                    },
                                },
                            }
                        ],
                    }
                    for i, p in enumerate(photos)
                ],
            }
        ],
    }


def manifest_v3(s: Server, name: str, photos: list[str]) -> dict:
    return {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": s.url(f"/{name}.json"),
        "type": "Manifest",
        "label": {"en": [f"Manifest {name}"]},
        "items": [
            {
                "id": s.url(f"/{name}/canvas/{i}"),
                "type": "Canvas",
                "label": {"none": [f"folio {i + 1}"]},
                "items": [
                    {
                        "type": "AnnotationPage",
                        "items": [
                            {
                                "type": "Annotation",
                                "motivation": "painting",
                                "body": {
                                    "id": s.url(f"/iiif/{p}/full/max/0/default.jpg"),
                                    "type": "Image",
                                    "service": [
                                        {"id": s.url(f"/iiif/{p}/"), "type": "ImageService3"}
                                    ],
                                },
                            }
                        ],
                    }
                ],
            }
            for i, p in enumerate(photos)
        ],
    }


@pytest.mark.parametrize("make", [manifest_v2, manifest_v3])
def test_every_canvas_of_a_manifest(server, client, make):
    server.documents["/m.json"] = make(server, "m", ["chelsea", "coffee", "rocket"])
    records = from_iiif(server.url("/m.json"), client=client)
    assert [r.uri for r in records] == [
        server.url(f"/iiif/{p}") for p in ("chelsea", "coffee", "rocket")
    ]
    labels = [r.metadata["label"] for r in records]
    assert labels == (
        ["p. 1", "p. 2", "p. 3"] if make is manifest_v2 else ["folio 1", "folio 2", "folio 3"]
    )
    assert {r.metadata["manifest"] for r in records} == {server.url("/m.json")}
    assert records[1].metadata["canvas"] == server.url("/m/canvas/1")
    assert records[0].metadata["manifest_label"] == "Manifest m"
    image = Image.open(io.BytesIO(records[2].loader(records[2].uri)))
    assert max(image.size) == 256  # fetched at a bounded size
    assert "/iiif/rocket/full/!256,256/0/default.jpg" in server.requests


def test_collections_2_and_3_recursively(server, client):
    server.documents["/a.json"] = manifest_v2(server, "a", ["astronaut", "chelsea"])
    server.documents["/b.json"] = manifest_v3(server, "b", ["coffee"])
    server.documents["/sub.json"] = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": server.url("/sub.json"),
        "type": "Collection",
        "items": [
            {"id": server.url("/b.json"), "type": "Manifest"},
            manifest_v3(server, "embedded", ["rocket"]),
        ],
    }
    server.documents["/top.json"] = {
        "@context": "http://iiif.io/api/presentation/2/context.json",
        "@id": server.url("/top.json"),
        "@type": "sc:Collection",
        "manifests": [{"@id": server.url("/a.json"), "@type": "sc:Manifest"}],
        "collections": [{"@id": server.url("/sub.json"), "@type": "sc:Collection"}],
    }
    records = from_iiif(server.url("/top.json"), client=client)
    names = sorted(r.uri.rsplit("/", 1)[1] for r in records)
    assert names == ["astronaut", "chelsea", "coffee", "rocket"]
    capped = from_iiif(server.url("/top.json"), client=client, max_manifests=1)
    assert len(capped) == 2  # only the first manifest


def test_index_a_manifest_and_its_cache(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    server.documents["/m.json"] = manifest_v3(server, "m", list(PHOTOS))
    col = lookalike.create(tmp_path / "col")
    report = col.index(server.url("/m.json"), model=MODEL, progress=False)
    assert (report.added, report.embedded, report.failed) == (4, 4, [])
    images = col.images()
    assert list(images.uri) == [server.url(f"/iiif/{p}") for p in PHOTOS]
    assert images.metadata[1]["label"] == "folio 2"
    assert col.neighbors(images.id[1], k=1).hits[0].id in set(images.id)
    fetched = [r for r in server.requests if r.startswith("/iiif/")]
    assert len(fetched) == 4
    again = col.index(server.url("/m.json"), model=MODEL, progress=False)
    assert again.embedded == 0 and again.reused == 4
    assert len([r for r in server.requests if r.startswith("/iiif/")]) == 4  # from the cache


def test_local_manifest_file(server, client, tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest_v2(server, "local", ["coffee"])))
    records = list(records_from(path))
    assert [r.uri for r in records] == [server.url("/iiif/coffee")]


def test_retries_then_gives_up(server, client):
    server.documents["/m.json"] = manifest_v2(server, "m", ["chelsea"])
    server.fail_next["/iiif/chelsea"] = 2
    records = from_iiif(server.url("/m.json"), client=client)  # fetches the first image
    assert server.requests.count("/iiif/chelsea/full/!256,256/0/default.jpg") == 3
    assert records[0].metadata["label"] == "p. 1"
    server.fail_next["/m.json"] = 10
    with pytest.raises(SourceUnavailable, match=r"/m.json answered HTTP 503"):
        from_iiif(server.url("/m.json"), client=client)


def test_not_iiif_and_unreachable(server, client, tmp_path):
    server.documents["/other.json"] = {"name": "a list of things", "items": [1, 2]}
    with pytest.raises(
        NotIIIF, match=r"/other.json: not a IIIF Presentation manifest or collection"
    ):
        from_iiif(server.url("/other.json"), client=client)
    server.documents["/empty.json"] = manifest_v3(server, "empty", [])
    with pytest.raises(NotIIIF, match=r"the IIIF document has no images"):
        from_iiif(server.url("/empty.json"), client=client)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(NotIIIF, match=r"bad.json is not JSON"):
        from_iiif(tmp_path / "bad.json", client=client)
    server.documents["/gone.json"] = manifest_v2(server, "gone", ["chelsea"])
    dead = manifest_v2(server, "gone", ["chelsea"])
    service = dead["sequences"][0]["canvases"][0]["images"][0]["resource"]["service"]
    service["@id"] = "http://127.0.0.1:9/iiif/chelsea"  # nothing listens on port 9
    server.documents["/dead.json"] = dead
    fast = IIIFClient(rate=1000, retries=1, backoff=0.01, cache_dir=tmp_path / "c2")
    with pytest.raises(SourceUnavailable, match=r"Cannot reach http://127.0.0.1:9/iiif/chelsea"):
        from_iiif(server.url("/dead.json"), client=fast)


def test_cli_errors_are_one_line_and_write_nothing(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    server.documents["/other.json"] = {"hello": "world"}
    col = tmp_path / "col"
    result = CliRunner().invoke(
        app, ["index", server.url("/other.json"), "-c", str(col), "-m", MODEL, "--no-progress"]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "not a IIIF Presentation manifest" in lines[0]
    assert not col.exists()  # nor an empty collection left behind
