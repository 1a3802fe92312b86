"""A ``.txt`` list reads its lines as a Parquet list reads its cells: paths against the
list's folder, ``file://`` uris, ``http(s)://`` URLs (a real server here) and
object-store URLs, each failing with its own reason."""

from __future__ import annotations

import shutil

import lookalike
from lookalike._uris import path_uri
from tests.conftest import PHOTOS
from tests.sources.test_iiif import Server

MODEL = "test-pixels"


def test_a_text_list_reads_paths_and_urls(tmp_path, monkeypatch, photos_dir):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "pics").mkdir()
    local = tmp_path / "pics" / f"{PHOTOS[0]}.jpg"
    shutil.copy(photos_dir / local.name, local)
    server = Server()
    server.thread.start()
    try:
        coffee = server.url("/iiif/coffee/full/!300,300/0/default.jpg")
        missing = server.url("/iiif/nothing.jpg")
        listing = tmp_path / "list.txt"
        listing.write_text(
            f"# a comment\npics/{local.name}\n\n{coffee}\n{missing}\nnosuchfs://bucket/a.jpg\n"
        )
        col = lookalike.create(tmp_path / "col")
        report = col.index(listing, model=MODEL, progress=False)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert sorted(r.uri for r in col.image_rows()) == sorted([path_uri(local), coffee])
    reasons = dict(report.failed)
    assert reasons[missing].endswith("answered HTTP 404.")
    assert reasons["nosuchfs://bucket/a.jpg"].startswith("cannot read: ")
