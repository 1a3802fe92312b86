"""The geometric check in Collection.duplicates (on by default), through a real
collection of real photos: two overlapping views of one photo are dropped however close
their scores, a crop is kept (even just below the threshold), a picture that cannot be
read again gives no verdict, pictures indexed from URLs are read again over HTTP, the
kept verdicts stay whole beside concurrent commands and kills (real processes), and
verify=False gives the scores alone (the CLI:
tests/cli/test_cli_duplicates.py)."""

from __future__ import annotations

import io
import signal
import subprocess
import time

import numpy as np
import pytest
from PIL import Image

import lookalike
from lookalike.analysis.duplicates import GEOMETRY_BAND, GEOMETRY_MARGIN
from tests.conftest import skimage_photo

MODEL = "test-pixels"


@pytest.fixture()
def col(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    im = skimage_photo("astronaut")
    w, h = im.size
    im.save(photos / "astronaut.jpg", quality=92)
    im.crop((w // 10, h // 10, w - w // 10, h - h // 10)).save(photos / "astronaut_crop.jpg")
    im.crop((0, 0, int(0.7 * w), h)).save(photos / "left.jpg")
    im.crop((int(0.3 * w), 0, w, h)).save(photos / "right.jpg")
    skimage_photo("coffee").save(photos / "coffee.jpg")
    ramp = np.tile(np.arange(0, 256, 2, dtype=np.uint8), (96, 1))
    Image.fromarray(ramp).save(photos / "ramp.png")
    Image.fromarray(ramp).resize((64, 48)).save(photos / "ramp_small.png")
    c = lookalike.create(tmp_path / "col")
    c.index(photos, model=MODEL, progress=False)
    return c


def pair_names(col, frame) -> list[frozenset[str]]:
    """The file names of each pair of ``frame``, in order."""
    uris = col.images().set_index("id")["uri"]
    return [
        frozenset(uris[i].rsplit("/", 1)[-1] for i in pair)
        for pair in zip(frame["a"], frame["b"], strict=True)
    ]


def names(col, frame) -> set[frozenset[str]]:
    return set(pair_names(col, frame))


def score(col, a: str, b: str) -> float:
    """The pair's (centre) score, from the scores alone."""
    pairs = col.duplicates(-1, verify=False).pairs
    return float(pairs[[p == {a, b} for p in pair_names(col, pairs)]]["score"].iloc[0])


def test_partial_overlaps_are_dropped(col):
    windows = frozenset({"left.jpg", "right.jpg"})
    t = score(col, *windows) - 0.05  # the pair is in the band that is checked
    assert windows in names(col, col.duplicates(t, verify=False).pairs)
    checked = col.duplicates(t)
    assert windows not in names(col, checked.pairs)
    assert windows not in {frozenset(g) for g in checked.groups}
    assert "geometric check of" in checked.notes[-1] and " 0 dropped" not in checked.notes[-1]


@pytest.mark.parametrize(
    "pair",
    [("astronaut.jpg", "astronaut_crop.jpg"), ("astronaut.jpg", "left.jpg")],  # a window too
)
def test_a_picture_inside_the_other_is_verified(col, pair):
    found = col.duplicates(score(col, *pair) - 0.05)
    assert frozenset(pair) in names(col, found.pairs[found.pairs["verified"]])


def test_flat_pictures_get_no_verdict_and_their_score_decides(col):
    ramps = frozenset({"ramp.png", "ramp_small.png"})  # no key points
    found = col.duplicates(score(col, *ramps) - 0.05)
    assert ramps in names(col, found.pairs) - names(col, found.pairs[found.pairs["verified"]])


def test_a_verified_copy_is_kept_just_below_the_threshold(col):
    crop = frozenset({"astronaut.jpg", "astronaut_crop.jpg"})
    t = score(col, *crop) + GEOMETRY_MARGIN / 2  # the crop scores just below t
    assert crop in names(col, col.duplicates(t).pairs)
    assert crop not in names(col, col.duplicates(t, verify=False).pairs)


def test_pairs_scoring_above_the_band_are_kept_unchecked(col):
    windows = frozenset({"left.jpg", "right.jpg"})
    t = score(col, *windows) - GEOMETRY_BAND - 0.01
    found = col.duplicates(t)
    unchecked = found.pairs[found.pairs["verified"].isna()]
    assert windows in names(col, unchecked)  # kept, not looked at
    assert f"scoring below {t + GEOMETRY_BAND:g}" in found.notes[-1]


def test_a_file_gone_gives_its_pairs_no_verdict(col, tmp_path):
    windows = frozenset({"left.jpg", "right.jpg"})
    t = score(col, *windows) - 0.05
    (tmp_path / "photos" / "right.jpg").unlink()
    found = col.duplicates(t)
    assert windows in names(col, found.pairs)  # the score alone decides
    with_gone = ["right.jpg" in p for p in pair_names(col, found.pairs)]
    assert not found.pairs[with_gone]["verified"].any()


def test_identical_pictures_are_copies_without_being_read(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    skimage_photo("chelsea").save(photos / "chelsea.png")
    skimage_photo("chelsea").save(photos / "chelsea.bmp")  # other bytes, same pixels
    skimage_photo("coffee").save(photos / "coffee.png")
    col = lookalike.create(tmp_path / "col")
    col.index(photos, model=MODEL, progress=False)
    for p in photos.iterdir():
        p.unlink()  # nothing can be read again
    found = col.duplicates(0.9)
    assert names(col, found.pairs) == {frozenset({"chelsea.png", "chelsea.bmp"})}
    assert found.pairs["verified"].all() and found.pairs["copy"].tolist() == ["pixels"]


def test_pictures_indexed_from_urls_are_read_again_over_http(tmp_path):
    from tests.sources.test_iiif import Server

    server = Server()
    server.thread.start()
    try:
        im = skimage_photo("astronaut")
        w, h = im.size
        pictures = {
            "left.jpg": im.crop((0, 0, int(0.7 * w), h)),
            "right.jpg": im.crop((int(0.3 * w), 0, w, h)),
            "astronaut.jpg": im,
            "coffee.jpg": skimage_photo("coffee"),
        }
        for name, picture in pictures.items():
            buf = io.BytesIO()
            picture.save(buf, "JPEG", quality=92)
            server.files[f"/photos/{name}"] = buf.getvalue()
        listing = tmp_path / "urls.txt"
        listing.write_text("".join(server.url(f"/photos/{n}") + "\n" for n in pictures))
        col = lookalike.create(tmp_path / "col")
        col.index(listing, model=MODEL, progress=False)
        windows = frozenset({"left.jpg", "right.jpg"})
        t = score(col, *windows) - 0.05
        assert windows in names(col, col.duplicates(t, verify=False).pairs)
        found = col.duplicates(t)
        assert windows not in names(col, found.pairs)
        assert " 0 dropped" not in found.notes[-1]
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_verdicts_are_kept_so_a_second_command_reads_no_image(col, tmp_path):
    windows = frozenset({"left.jpg", "right.jpg"})
    t = score(col, *windows) - 0.05
    first = col.duplicates(t)
    assert (tmp_path / "col" / "index" / "geometry.npz").is_file()
    for p in (tmp_path / "photos").iterdir():
        p.unlink()  # nothing can be read again: the kept verdicts decide
    again = lookalike.open(tmp_path / "col").duplicates(t)
    assert windows not in names(col, again.pairs)
    assert again.pairs[["a", "b", "verified"]].equals(first.pairs[["a", "b", "verified"]])


def test_kept_verdicts_survive_concurrent_commands_and_a_kill(col, tmp_path):
    """Real processes: two `duplicates` at once both answer and leave a readable file;
    a `duplicates` killed with SIGKILL while it checks leaves the kept verdicts
    readable (or absent), and the next command gives the same pairs."""
    from tests.concurrency import ENV, lookalike_cmd

    windows = frozenset({"left.jpg", "right.jpg"})
    t = score(col, *windows) - 0.05
    cmd = lookalike_cmd("duplicates", col._store.path, "-t", f"{t:.6f}", "--format", "csv")
    both = [subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [p.communicate(timeout=120)[0] for p in both]
    assert [p.returncode for p in both] == [0, 0] and outputs[0] == outputs[1]
    kept = tmp_path / "col" / "index" / "geometry.npz"
    with np.load(kept) as saved:
        assert len(saved["a"]) >= 1
    killed = 0
    for delay in (0.3, 0.5, 0.7, 0.9):  # a run takes about a second: killed at some step
        kept.unlink(missing_ok=True)
        victim = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL)
        time.sleep(delay)
        victim.send_signal(signal.SIGKILL)
        killed += victim.wait(timeout=60) == -signal.SIGKILL
        if kept.exists():  # written whole (a temporary file renamed) or not at all
            with np.load(kept) as saved:
                assert len(saved["a"]) == len(saved["share"]) >= 1
        again = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and again.stdout == outputs[0]
    assert killed >= 1
    assert windows not in names(col, col.duplicates(t).pairs)
