"""Every file name the OS allows is indexed (or listed as failed with its reason), found
again by its path, shown and served; one odd name never stops a run, and a run that
stops is never left "running"."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lookalike
from lookalike._uris import path_uri, uri_path
from lookalike.errors import ImageNotFound
from lookalike.pipeline import index_records
from lookalike.server import create_app
from lookalike.sources import records_from
from lookalike.store.graph_files import read_graph, write_graph
from tests.conftest import PHOTOS, skimage_photo

MODEL = "test-pixels"
ROOT = Path(__file__).resolve().parents[2]
NAME_MAX = 255

# Names a folder of old archives, phones and shells really holds, one per trouble.
NASTY = [
    b"latin1-\xe9t\xe9.jpg",  # not UTF-8: what stopped `index`
    b"cp1252 \x93quoted\x94.png",
    b"only\xff\xfe\xfd.jpg",
    b"line\nbreak.jpg",
    b"tab\there.jpg",
    b"carriage\rreturn.png",
    b"\x01control.jpg",
    b"-rf.jpg",
    b"--help.png",
    b" leading space.jpg",
    b"trailing space .jpg",
    unicodedata.normalize("NFC", "café.jpg").encode(),
    unicodedata.normalize("NFD", "café.jpg").encode(),  # the same name, another file
    b"single'quote.jpg",
    b'double"quote.png',
    b"100% %20 %E9 %%.jpg",
    b"http:__example.org_a.jpg",
    b"https:x.png",
    b"file:x.jpg",
    b"back\\slash.jpg",
    b"glob*?[x].jpg",
    b"$(touch pwned); `x`.jpg",
    "\u202eevil gpj.jpg".encode(),  # right-to-left override
    "🖼 emoji.png".encode(),
    b"L" * (NAME_MAX - 4) + b".jpg",  # exactly NAME_MAX bytes
    b"\xe9" * (NAME_MAX - 4) + b".jpg",  # NAME_MAX bytes, none of them UTF-8
]


def _pictures(n: int):
    """``n`` different real pictures (crops of scikit-image photos), small and fast."""
    photos = [skimage_photo(name) for name in PHOTOS]
    for i in range(n):
        im = photos[i % len(photos)]
        d = 7 * (i // len(photos))
        yield im.crop((d, d, im.width - d, im.height - 2 * d)).resize((72, 64))


def _write(folder: Path, names: list[bytes]) -> list[bytes]:
    """Write a real picture under each name; return their full paths as bytes."""
    paths = []
    for name, picture in zip(names, _pictures(len(names)), strict=True):
        path = os.fsencode(folder) + b"/" + name
        fmt = "PNG" if name.lower().endswith(b".png") else "JPEG"
        with open(path, "wb") as fh:
            picture.save(fh, fmt)
        paths.append(path)
    return paths


def _check_collection(col: lookalike.Collection, folder: Path, paths: list[bytes]) -> None:
    """Every file indexed with a vector, found by its path and id, its uri the file."""
    report = col.index(folder, model=MODEL, progress=False)
    assert report.unchanged == report.seen == len(paths), str(report)
    assert report.failed == [] and report.embedded == 0
    info = col.info()
    assert (info.n_ok, info.n_failed) == (len(paths), 0), str(info)
    assert info.runs[-1]["status"] == "done"
    str(info).encode("utf-8")  # printable on any terminal
    for path in paths:
        row = col.image(os.fsdecode(path))
        assert col.image(row.id) == row
        assert os.fsencode(uri_path(row.uri)) == path  # the uri is the real file
        assert col.thumbnail(row.id, 32).size[0] <= 32
        hits = col.neighbors(os.fsdecode(path), k=2)
        assert len(hits) == 2 and row.id not in hits.ids
        str(hits).encode("utf-8")
        hits.to_frame().to_csv(index=False).encode("utf-8")
    frame = col.images()
    frame.to_csv(index=False).encode("utf-8")
    frame.to_json(orient="records", force_ascii=False).encode("utf-8")


def test_a_name_that_is_not_utf8_is_indexed_with_the_rest(tmp_path):
    # The odd name comes first (a folder's files before its sub-folders): it used to
    # stop its batch of 32 and every later image, on every run.
    folder = tmp_path / "photos"
    (folder / "more").mkdir(parents=True)
    names = [b"\xc0latin1-\xe9t\xe9.jpg"] + [f"more/p{i:02}.jpg".encode() for i in range(40)]
    paths = _write(folder, names)
    col = lookalike.create(tmp_path / "col")
    report = col.index(folder, model=MODEL, batch_size=32, progress=False)
    assert (report.added, report.embedded, report.failed) == (41, 41, []), str(report)
    row = col.image(os.fsdecode(paths[0]))
    assert row.uri == f"file://{tmp_path}/photos/%C0latin1-%E9t%E9.jpg"
    assert row.uri in str(col.neighbors(col.images().id[1], k=40))
    with pytest.raises(ImageNotFound, match=r"^No image '.*/photos/\\xe9t\\xe9.jpg' in "):
        col.image(os.fsdecode(os.fsencode(folder) + b"/\xe9t\xe9.jpg"))
    _check_collection(col, folder, paths)


def test_the_cli_indexes_finds_and_lists_every_name(tmp_path):
    folder = tmp_path / "odd names"
    folder.mkdir()
    paths = _write(folder, NASTY)
    col_path = tmp_path / "col"

    # The commands in a real process, their argv bytes as a shell passes them (the rest,
    # for every name, through the Python API in _check_collection).
    long_uri = path_uri(paths[-1])  # the long name, none of it UTF-8: a file:// uri
    index, info, neighbors, by_uri, graph = _cli(
        ["index", folder, "-c", col_path, "-m", MODEL, "--no-progress"],
        ["info", col_path],
        ["neighbors", col_path, paths[0], "-k", "3", "-o", tmp_path / "n.csv"],
        ["neighbors", col_path, long_uri, "-k", "1"],  # the uri shown leads back too
        ["graph", col_path, "--all", "-k", "2", "-o", tmp_path / "g.json"],
    )
    assert f"{len(NASTY)} added" in index and "0 failed" in index
    assert f"{len(NASTY)} indexed, 0 failed" in info and "(done)" in info
    assert "Neighbours of" in neighbors
    assert len((tmp_path / "n.csv").read_text(encoding="utf-8").splitlines()) == 4
    long = lookalike.open(col_path).image(os.fsdecode(paths[-1]))
    assert long.uri == long_uri and long.uri.endswith("%E9%E9.jpg")
    # The header names the image by its file name (the undecodable bytes escaped).
    assert by_uri.startswith("Neighbours of %E9%E9"), by_uri
    assert "saved" in graph
    assert (tmp_path / "g.json").read_text(encoding="utf-8").count('"id"') >= len(NASTY)
    # XML cannot hold a control character: GraphML gets it escaped, and reads back.
    write_graph(lookalike.open(col_path).graph(all=True, k=2), tmp_path / "g.graphml")
    paths_in_xml = {d["path"] for _, d in read_graph(tmp_path / "g.graphml").nodes(data=True)}
    assert f"{folder}/\\x01control.jpg" in paths_in_xml and len(paths_in_xml) == len(NASTY)
    _check_collection(lookalike.open(col_path), folder, paths)


def _cli(*commands: list[str | bytes | os.PathLike]) -> list[str]:
    """Run ``lookalike`` commands in one real process (their argv as bytes, as a shell
    passes them), with the test model registered; each must exit 0, print UTF-8 and no
    traceback. Returns the output of each."""
    # argv[1] says which of the arguments after it make each command: "2,3,4|5,6".
    code = (
        "import sys, tests.conftest\n"
        "from lookalike.cli import app\n"
        "for command in sys.argv[1].split('|'):\n"
        "    print('>>> command', flush=True)\n"
        "    try:\n"
        "        app([sys.argv[int(i)] for i in command.split(',')], prog_name='lookalike')\n"
        "    except SystemExit as stop:\n"
        "        if stop.code:\n"
        "            raise\n"
    )
    args: list[bytes] = []
    spec = []
    for command in commands:
        spec.append(",".join(str(len(args) + 2 + i) for i in range(len(command))))
        args += [os.fsencode(a) for a in command]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    argv = [sys.executable, "-c", code, "|".join(spec), *args]
    done = subprocess.run(argv, capture_output=True, cwd=ROOT, env=env, timeout=120)
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert done.returncode == 0, out + err
    assert "Traceback" not in err, err
    outputs = out.split(">>> command\n")[1:]
    assert len(outputs) == len(commands), out
    return outputs


# -- fuzz: names made of the troublesome pieces, with real images ---------------------------
PIECES = [
    b"\xe9", b"\xff", b"\xc3", b"\x80", b"\n", b"\t", b"\r", b" ", b"-", b"--", b"'", b'"',
    b"%", b"%25", b"%E9", b"http:", b"file:", b"\\", b"?", b"#", b"~", b"a", b"Z", b"0",
    "é".encode(), unicodedata.normalize("NFD", "é").encode(), "🖼".encode(), "\u202e".encode(),
]  # fmt: skip


def _name(parts: list[bytes], ext: bytes, long: bool) -> bytes:
    stem = b"".join(parts)
    if long:
        stem = (stem + b"x" * NAME_MAX)[: NAME_MAX - len(ext)]
    return stem[: NAME_MAX - len(ext)] + ext


names = st.builds(
    _name,
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=10),
    st.sampled_from([b".jpg", b".JPG", b".png", b".jpeg"]),
    st.booleans(),
)


@settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(names, min_size=3, max_size=6, unique=True))
def test_fuzzed_names_are_indexed_found_and_served(names):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        paths = _write(folder, names)
        col = lookalike.create(Path(tmp) / "col")
        report = col.index(folder, model=MODEL, batch_size=2, progress=False)
        assert report.added == len(names) and report.failed == [], str(report)
        _check_collection(col, folder, paths)
        with TestClient(create_app(col)) as client:
            assert client.get("/api/collection").json()["indexed"] == len(names)
            listed = client.get("/api/images").json()["results"]
            assert len(listed) == len(names)
            for item in listed:
                assert client.get(f"/api/images/{item['id']}").status_code == 200
                assert client.get(f"/api/neighbors/{item['id']}?k=2").status_code == 200
                picture = client.get(f"/iiif/{item['id']}/full/32,/0/default.jpg")
                assert picture.status_code == 200, picture.text
                assert picture.headers["content-type"] == "image/jpeg"


# -- a run that stops is not left "running" ---------------------------------------------------
class Stop(Exception):
    pass


@pytest.mark.parametrize(
    ("error", "status"), [(Stop, "failed"), (KeyboardInterrupt, "interrupted")]
)
def test_a_run_stopped_by_an_error_is_recorded_as_such(tmp_path, photos_dir, error, status):
    col = lookalike.create(tmp_path / "col")

    def stop_after_a_batch(done: int, total: int) -> None:
        if done >= 2:
            raise error("stopped")

    backbone = lookalike.models.get_backbone(MODEL)
    with pytest.raises(error):
        records = records_from(photos_dir)
        index_records(col._store, records, backbone, batch_size=2, progress=stop_after_a_batch)
    runs = col.info().runs
    assert [r["status"] for r in runs] == [status]
    assert runs[0]["n_seen"] == 2 and runs[0]["finished_at"] is not None
    # What was committed stays, and the next run finishes the job.
    assert col.info().n_ok == 2
    report = col.index(photos_dir, model=MODEL, progress=False)
    assert (report.unchanged, report.added) == (2, report.seen - 2)
    assert [r["status"] for r in col.info().runs] == [status, "done"]
