"""A Parquet file of paths or URLs as a source: relative paths against its folder, ids
and the other scalar columns kept, a row without a path recorded as skipped, a bad path
recorded as a failure, and bad files stopped with one line; a Parquet file at a URL (a
real server on localhost) read as a local one, its relative paths URLs beside it."""

from __future__ import annotations

import datetime
import re
import shutil
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import lookalike
from lookalike._uris import path_uri
from lookalike.cli import app
from lookalike.sources import BadParquet, from_parquet, is_parquet_url, records_from
from lookalike.sources import parquet as parquet_source

MODEL = "test-pixels"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(path, columns: dict, **kwargs):
    pq.write_table(pa.table(columns), path, **kwargs)
    return path


@pytest.fixture()
def listing(tmp_path, photos_dir, monkeypatch):
    """A Parquet list beside a folder ``pics``: relative and absolute paths, ids, a
    title/year/scale/date per row, a list column (not metadata), a null path and a
    path to no file; read two rows at a time."""
    monkeypatch.setattr(parquet_source, "ROWS_PER_BATCH", 2)
    pics = tmp_path / "pics"
    pics.mkdir()
    for name in ("coffee.jpg", "rocket.png"):
        shutil.copy(photos_dir / name, pics / name)
    columns = {
        "path": [
            "pics/coffee.jpg",
            str(photos_dir / "chelsea.png"),
            " pics/rocket.png ",
            None,
            "pics/missing.jpg",
        ],
        "id": ["cat-1", "cat-2", None, "cat-4", "cat-5"],
        "title": ["Coffee", "Chelsea", "Rocket", "Nothing", "Lost"],
        "year": [1901, None, 1969, 1, 2],
        "scale": [0.5, 1.0, float("nan"), 1.0, 1.0],
        "taken": [datetime.date(2001, 2, 3)] * 5,
        "tags": [["a"], [], ["b"], [], []],
    }
    return write(tmp_path / "list.parquet", columns, row_group_size=2)


def test_a_parquet_list_is_indexed_with_its_ids_and_metadata(listing, photos_dir):
    pics = listing.parent / "pics"
    col = lookalike.create(listing.parent / "col")
    report = col.index(listing, model=MODEL, progress=False)

    assert (report.seen, report.added, report.embedded) == (4, 3, 3)
    assert report.failed == [(str(pics / "missing.jpg"), "file not found")]
    row_3 = (f"{path_uri(listing)}#row=3", "no path ('path' is null)")
    assert report.skipped == col.info().skipped == [row_3]
    rows = {r.uri: r for r in col.image_rows()}
    assert sorted(rows) == sorted([str(pics / "coffee.jpg"), str(photos_dir / "chelsea.png"),
                                   str(pics / "rocket.png")])  # fmt: skip
    coffee, chelsea, rocket = (rows[str(p)] for p in (
        pics / "coffee.jpg", photos_dir / "chelsea.png", pics / "rocket.png"))  # fmt: skip
    assert (coffee.id, chelsea.id) == ("cat-1", "cat-2")
    assert rocket.id and rocket.id not in ("cat-1", "cat-2")  # derived from its content
    assert {k: coffee.metadata[k] for k in ("title", "year", "scale", "taken")} == {
        "title": "Coffee",
        "year": 1901,
        "scale": 0.5,
        "taken": "2001-02-03",
    }
    assert "year" not in chelsea.metadata and "scale" not in rocket.metadata  # null, NaN
    assert "tags" not in coffee.metadata and "path" not in coffee.metadata
    hits = col.neighbors("cat-1", k=1).hits
    assert hits[0].id in ("cat-2", rocket.id)  # searchable by the source's id

    again = col.index(listing, model=MODEL, progress=False)
    assert (again.embedded, again.added, again.unchanged) == (0, 0, 3)
    assert again.skipped == [row_3]


def test_the_path_column_is_found_by_name_or_as_the_one_text_column(tmp_path):
    path = write(tmp_path / "a.parquet", {"n": [1], "uri": ["x.jpg"], "path": ["y.jpg"]})
    assert [r.uri for r in from_parquet(path)] == [str(tmp_path / "y.jpg")]
    assert [r.uri for r in from_parquet(path, column="uri")] == [str(tmp_path / "x.jpg")]
    path = write(tmp_path / "b.parquet", {"n": [1], "id": ["i"], "file": ["z.jpg"]})
    [record] = records_from(path)
    assert (record.uri, record.id, record.metadata) == (str(tmp_path / "z.jpg"), "i", {"n": 1})
    file_uri = write(tmp_path / "c.parquet", {"url": [f"file://{tmp_path}/w.jpg"]})
    assert [r.uri for r in from_parquet(file_uri)] == [str(tmp_path / "w.jpg")]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"a": ["x"], "b": ["y"]}, "has no column of paths: name it path, uri or url"),
        ({"n": [1]}, "has no column of paths"),
        ({"path": [1]}, "Column 'path' of '{file}' holds int64, not paths (text)"),
    ],
)
def test_a_file_without_a_path_column_is_refused_at_once(tmp_path, columns, message):
    file = write(tmp_path / "x.parquet", columns)
    with pytest.raises(BadParquet, match=re.escape(message.format(file=file))):
        records_from(file)


def test_bad_parquet_files_stop_the_cli_with_one_line(tmp_path):
    (tmp_path / "text.parquet").write_text("path\nx.jpg\n")
    good = write(tmp_path / "good.parquet", {"path": [f"img_{i:05d}.jpg" for i in range(3000)]},
                 row_group_size=1000)  # fmt: skip
    data = bytearray(good.read_bytes())
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) // 2])
    # The second row group's page header scrambled: the footer still reads.
    start = pq.ParquetFile(good).metadata.row_group(1).column(0).data_page_offset
    data[start + 20 : start + 200] = bytes(b ^ 0x5A for b in data[start + 20 : start + 200])
    (tmp_path / "scrambled.parquet").write_bytes(bytes(data))
    write(tmp_path / "nopaths.parquet", {"a": [1], "b": [2.0]})

    cases = {
        "text.parquet": "as Parquet: ",
        "cut.parquet": "as Parquet: ",
        "nopaths.parquet": "has no column of paths: name it path, uri or url (its columns: a, b).",
        "scrambled.parquet": "Cannot read rows 1000-1999 of ",
    }
    for name, message in cases.items():
        col = tmp_path / f"col-{name}"
        result = invoke("index", tmp_path / name, "-c", col, "-m", MODEL, "--no-progress")
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and message in result.output, result.output
        assert len(result.output.splitlines()) == 1, result.output
        assert "Traceback" not in result.output
        if name != "scrambled.parquet":  # refused before anything is read
            assert not col.exists()


@pytest.fixture()
def temp_dir(tmp_path, monkeypatch):
    """Where the downloaded Parquet file goes (to see that it is removed)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_parquet_file_at_a_url_is_read_with_paths_beside_it(
    tmp_path, photos_dir, server, temp_dir, monkeypatch
):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    server.files["/pics/coffee.jpg"] = (photos_dir / "coffee.jpg").read_bytes()
    server.files["/lists/my rocket.png"] = (photos_dir / "rocket.png").read_bytes()
    columns = {
        "path": ["../pics/coffee.jpg", "my rocket.png", str(photos_dir / "chelsea.png"),
                 None, "sub/../gone.jpg"],
        "id": ["c", "r", "ch", "n", "g"],
    }  # fmt: skip
    server.files["/lists/list.parquet"] = write(tmp_path / "list.parquet", columns).read_bytes()
    server.fail_next["/lists/list.parquet"] = 1  # a 503 first: tried again
    url = server.url("/lists/list.parquet")

    col = lookalike.create(tmp_path / "col")
    report = col.index(url, model=MODEL, progress=False)

    coffee, rocket = server.url("/pics/coffee.jpg"), server.url("/lists/my%20rocket.png")
    rows = {r.uri: r.id for r in col.image_rows()}
    assert rows == {coffee: "c", rocket: "r", str(photos_dir / "chelsea.png"): "ch"}
    [(gone, reason)] = report.failed
    assert gone == server.url("/lists/gone.jpg") and reason.endswith("answered HTTP 404.")
    assert report.skipped == col.info().skipped == [(f"{url}#row=3", "no path ('path' is null)")]
    assert server.requests.count("/lists/list.parquet") == 2
    assert list(temp_dir.iterdir()) == []  # the download is removed

    again = col.index(url, model=MODEL, progress=False)
    assert (again.added, again.embedded) == (0, 0)
    assert list(temp_dir.iterdir()) == []


def test_a_parquet_url_that_is_missing_or_not_parquet_stops_the_cli_with_one_line(
    tmp_path, server, temp_dir
):
    server.files["/text.parquet"] = b"path\nx.jpg\n"
    cases = {
        "/none.parquet": "/none.parquet answered HTTP 404.",
        "/text.parquet": "/text.parquet' as Parquet: ",
    }
    for path, message in cases.items():
        col = tmp_path / f"col{path.replace('/', '-')}"
        result = invoke("index", server.url(path), "-c", col, "-m", MODEL, "--no-progress")
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and message in result.output, result.output
        assert len(result.output.splitlines()) == 1, result.output
        assert not col.exists()
    assert list(temp_dir.iterdir()) == []
    assert is_parquet_url("https://h/list.parquet?v=2") and not is_parquet_url("https://h/x.json")
