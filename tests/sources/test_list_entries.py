"""A ``.txt`` list reads its lines as a Parquet list reads its cells
(``sources/entries.py``): paths against the list's folder, ``http(s)://`` URLs through
the IIIF client (a real server here), any other ``scheme://`` through pyarrow.fs, each
failing with its own reason."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lookalike
from lookalike._uris import path_uri
from tests.conftest import PHOTOS
from tests.sources.test_iiif import Server

MODEL = "test-pixels"


def write_txt(path, entries):
    path.write_text("# a comment\n" + "\n\n".join(entries) + "\n")  # blank lines left out


def write_parquet(path, entries):
    pq.write_table(pa.table({"url": entries}), path)


@pytest.mark.parametrize(
    ("name", "write"), [("list.txt", write_txt), ("list.parquet", write_parquet)]
)
def test_a_list_reads_paths_and_urls_by_their_scheme(
    tmp_path, monkeypatch, photos_dir, name, write
):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "pics").mkdir()
    local = tmp_path / "pics" / f"{PHOTOS[0]}.jpg"
    shutil.copy(photos_dir / local.name, local)
    server = Server()
    server.thread.start()
    try:
        coffee = server.url("/iiif/coffee/full/!300,300/0/default.jpg")
        missing = server.url("/iiif/nothing.jpg")
        listing = tmp_path / name
        write(listing, [f"pics/{local.name}", coffee, missing, "nosuchfs://bucket/a.jpg"])
        col = lookalike.create(tmp_path / "col")
        report = col.index(listing, model=MODEL, progress=False)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert sorted(r.uri for r in col.image_rows()) == sorted([path_uri(local), coffee])
    reasons = dict(report.failed)
    assert reasons[missing].endswith("answered HTTP 404.")
    assert reasons["nosuchfs://bucket/a.jpg"].startswith("cannot read: ")
    assert "nosuchfs" in reasons["nosuchfs://bucket/a.jpg"]


@pytest.mark.parametrize(
    ("name", "write"), [("list.txt", write_txt), ("list.parquet", write_parquet)]
)
def test_dot_dot_in_a_path_names_the_file_once(tmp_path, photos_dir, name, write):
    """``a.jpg`` and ``sub/../a.jpg`` are one image, a symlink is not followed, and a
    list named through ``..`` keeps that folder as it was spelled (a plain entry's uri
    is what it always was)."""
    lists = tmp_path / "lists"
    (lists / "sub").mkdir(parents=True)
    shutil.copy(photos_dir / "coffee.jpg", lists / "a.jpg")
    (lists / "link.jpg").symlink_to(photos_dir / "chelsea.png")
    a, link = lists / "a.jpg", lists / "link.jpg"
    entries = ["a.jpg", "sub/../a.jpg", "./sub/../a.jpg", f"{lists}/sub/../a.jpg",
               "sub/../link.jpg", f"../{lists.name}/link.jpg"]  # fmt: skip
    write(lists / name, entries)
    col = lookalike.create(tmp_path / "col")
    report = col.index(lists / name, model=MODEL, progress=False)
    assert sorted(r.uri for r in col.image_rows()) == sorted([str(a), str(link)])
    assert (report.seen, report.added, report.embedded, report.failed) == (6, 2, 2, [])
    again = col.index(lists / name, model=MODEL, progress=False)
    assert (again.added, again.embedded, again.unchanged) == (0, 0, 6)

    # A list named through `..`: its folder stays spelled so (a plain entry's uri is
    # what it was before `..` was taken out of entries), and its entries' `..` are taken
    # out against that folder.
    write(lists / f"plain-{name}", ["a.jpg", "sub/../a.jpg"])
    other = lookalike.create(tmp_path / "other")
    other.index(lists / "sub" / ".." / f"plain-{name}", model=MODEL, progress=False)
    assert [r.uri for r in other.image_rows()] == [f"{lists}/sub/../a.jpg"]
