"""The uri of a local file, for any name Linux allows: text a catalog can hold, decoded
back to the exact file."""

from __future__ import annotations

import json
import os
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from lookalike._uris import display, path_uri, record_uri, uri_path
from lookalike.sources import ImageRecord, from_files

# A file name: any bytes but "/" and NUL, up to NAME_MAX (255 bytes).
names = st.binary(min_size=1, max_size=255).map(lambda b: b.replace(b"/", b"_"))
names = names.map(lambda b: b.replace(b"\0", b"_")).filter(lambda b: b not in (b".", b".."))


@settings(max_examples=300, derandomize=True, database=None)
@given(names)
def test_every_file_name_has_a_text_uri_that_gives_back_its_path(name):
    path = os.fsdecode(b"/photos/" + name)
    uri = path_uri(path)
    uri.encode("utf-8")  # a catalog, a terminal, JSON can hold it
    json.dumps(uri, ensure_ascii=False).encode("utf-8")
    assert os.fsencode(uri_path(uri)) == b"/photos/" + name
    assert path_uri(uri) == uri  # the uri read back as a path is the same uri
    assert record_uri(path) == uri == ImageRecord(uri=path).uri
    assert display(uri).isprintable()


def test_a_valid_unicode_path_is_its_own_uri():
    for name in ("café.jpg", "-rf.jpg", "100% real.jpg", "http:x.jpg", "file:x.jpg", "a\nb.jpg"):
        assert path_uri("/p/" + name) == "/p/" + name
    nfc, nfd = unicodedata.normalize("NFC", "é.jpg"), unicodedata.normalize("NFD", "é.jpg")
    assert path_uri("/p/" + nfc) != path_uri("/p/" + nfd)  # two files, two uris


def test_undecodable_bytes_are_escaped_readably_and_percent_signs_too():
    path = os.fsdecode(b"/p/latin1-\xe9t\xe9 100%.jpg")
    assert path_uri(path) == "file:///p/latin1-%E9t%E9 100%25.jpg"
    assert display(path) == "/p/latin1-\\xe9t\\xe9 100%.jpg"
    record = next(from_files([path]))
    assert record.uri == "file:///p/latin1-%E9t%E9 100%25.jpg" and str(record.path) == path


def test_a_relative_path_becomes_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert path_uri(b"x\xff.jpg") == path_uri(str(tmp_path) + os.fsdecode(b"/x\xff.jpg"))
    assert path_uri("x.jpg") == str(tmp_path / "x.jpg")


def test_remote_uris_keep_their_form():
    assert record_uri("https://example.org/a%20b.jpg") == "https://example.org/a%20b.jpg"
    assert uri_path("https://example.org/a.jpg") is None
    assert record_uri(os.fsdecode(b"https://example.org/\xe9.jpg")) == "https://example.org/%E9.jpg"
