"""What a folder's walk leaves out (files of other types, folders it cannot list) is
listed, with the reason, in the index report and in `info`; never silently dropped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import lookalike
from lookalike.sources import from_folder
from tests.conftest import skimage_photo

MODEL = "test-pixels"
ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
OTHER_TYPE = "not an image type lookalike reads"
ANY_TYPE = f"{OTHER_TYPE} (.txt)"


def _photo(path: Path, name: str = "coffee") -> None:
    skimage_photo(name).resize((64, 48)).save(path)


def test_files_of_other_types_are_listed_and_forgotten_once_gone(tmp_path):
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    _photo(folder / "a.jpg")
    _photo(folder / "sub" / "b.png", "chelsea")
    (folder / "notes.txt").write_text("not a picture")
    (folder / "sub" / "data.xyz").write_bytes(b"\x00\x01")
    (folder / "README").write_text("no extension")
    col = lookalike.create(tmp_path / "col")
    report = col.index(folder, model=MODEL, progress=False)
    expected = [
        (str(folder / "README"), f"{OTHER_TYPE} (no extension)"),
        (str(folder / "notes.txt"), f"{OTHER_TYPE} (.txt)"),
        (str(folder / "sub" / "data.xyz"), f"{OTHER_TYPE} (.xyz)"),
    ]
    assert (report.added, report.failed, report.skipped) == (2, [], expected)
    assert "3 skipped" in str(report) and f"notes.txt: {OTHER_TYPE} (.txt)" in str(report)
    info = col.info()
    assert info.skipped == expected and info.n_ok == 2
    assert f"sub/data.xyz: {OTHER_TYPE} (.xyz)" in str(info)

    # The list is the last walk's: a file gone, or now an image file, leaves it.
    (folder / "notes.txt").unlink()
    (folder / "sub" / "data.xyz").rename(folder / "sub" / "data.png")
    report = col.index(folder, model=MODEL, progress=False)
    assert col.info().skipped == expected[:1]
    not_an_image = "not an image (unrecognised file content)"
    assert report.failed == [(str(folder / "sub" / "data.png"), not_an_image)]


def test_a_collection_made_before_the_list_gets_it_when_opened(tmp_path, photos_dir):
    folder = tmp_path / "photos"
    shutil.copytree(photos_dir, folder)
    col = lookalike.create(tmp_path / "col")
    col.index(folder, model=MODEL, progress=False)
    catalog = col._store.catalog
    with catalog.transaction() as cur:  # as an older lookalike left it
        cur.execute("DROP TABLE skipped")
    assert catalog.skipped() == [] and "left out" not in str(col.info())
    col._store.close()
    (folder / "x.txt").write_text("")
    col = lookalike.open(tmp_path / "col")
    report = col.index(folder, model=MODEL, progress=False)
    assert report.skipped == col.info().skipped == [(str(folder / "x.txt"), ANY_TYPE)]


def test_the_walk_tells_what_it_leaves_out():
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "x.heic").write_bytes(b"")  # read now: phones write these
        Path(tmp, "y.doc").write_bytes(b"")
        left_out: list[tuple[str, str]] = []
        records = list(from_folder(tmp, skipped=lambda *entry: left_out.append(entry)))
        assert [Path(r.uri).name for r in records] == ["x.heic"]
        assert left_out == [(str(Path(tmp, "y.doc")), f"{OTHER_TYPE} (.doc)")]


def test_an_unreadable_folder_is_listed_as_failed_with_its_reason():
    """chmod 000 stops every user but root; as root the index runs as `nobody` in a
    real child process (the assertions are the same)."""
    base = Path(tempfile.mkdtemp(prefix="lookalike-perm-"))
    try:
        base.chmod(0o777)  # the child (nobody) writes the collection here
        folder = base / "photos"
        for sub in ("open", "locked"):
            (folder / sub).mkdir(parents=True)
        _photo(folder / "a.jpg")
        _photo(folder / "open" / "c.jpg", "rocket")
        _photo(folder / "locked" / "b.jpg", "chelsea")
        for path in (folder, folder / "open", folder / "locked"):
            path.chmod(0o755)
        (folder / "locked").chmod(0o000)
        report = _index_as_another_user(base / "col", folder)
        locked = str(folder / "locked")
        reason = "folder not readable: permission denied"
        assert report == {"added": 2, "failed": [[locked, reason]], "exit_ok": False}
        info = lookalike.open(base / "col").info()
        assert info.skipped == [(locked, reason)] and info.n_ok == 2
        assert f"{locked}: {reason}" in str(info)

        # Readable again: its pictures come in, and it is no longer listed.
        (folder / "locked").chmod(0o755)
        col = lookalike.open(base / "col")
        report = col.index(folder, model=MODEL, progress=False)
        assert (report.added, report.unchanged, report.failed) == (1, 2, [])
        assert col.info().skipped == []
    finally:
        (base / "photos" / "locked").chmod(0o755)
        shutil.rmtree(base)


def _index_as_another_user(col_path: Path, folder: Path) -> dict:
    """Index ``folder`` as this user, or as ``nobody`` in a child process when this
    user is root (root reads any folder, whatever its mode)."""
    code = (
        "import json, sys, tests.conftest, lookalike\n"
        "r = lookalike.create(sys.argv[1]).index(sys.argv[2], model='test-pixels',"
        " progress=False)\n"
        "print(json.dumps({'added': r.added, 'failed': r.failed, 'exit_ok': r.ok}))\n"
    )
    if os.geteuid() != 0:
        report = lookalike.create(col_path).index(folder, model=MODEL, progress=False)
        failed = [list(entry) for entry in report.failed]
        return {"added": report.added, "failed": failed, "exit_ok": report.ok}
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "HOME": str(col_path.parent),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code, str(col_path), str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])
