"""Near-duplicates, exact duplicates, dedup, figures, labels and calibration through a
real collection of real photos (the test-pixels descriptor: the logic, not the model)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from matplotlib.figure import Figure

import lookalike
from lookalike.errors import ImageNotFound, IndexNotBuilt

MODEL = "test-pixels"


@pytest.fixture()
def dup_dir(tmp_path, photos_dir):
    """The test photos plus a byte copy and a lossless re-save (BMP) of chelsea."""
    root = tmp_path / "photos"
    shutil.copytree(photos_dir, root)
    shutil.copy(root / "chelsea.png", root / "chelsea_copy.png")
    from PIL import Image

    with Image.open(root / "chelsea.png") as im:
        im.save(root / "chelsea.bmp")
    return root


@pytest.fixture()
def col(tmp_path, dup_dir):
    c = lookalike.create(tmp_path / "col")
    c.index(dup_dir, model=MODEL, progress=False)
    return c


def ids_of(col, *names):
    uris = col.images().set_index("uri")["id"]
    return {uris[str(p)] for p in uris.index if p.rsplit("/", 1)[-1] in names}


def test_duplicates_find_copies_and_derivatives_not_other_photos(col):
    found = col.duplicates(0.95, scoring="cosine")
    chelsea = ids_of(col, "chelsea.png", "chelsea_copy.png", "chelsea.bmp", "chelsea_small.jpg")
    assert set(found.groups[0]) == chelsea
    assert set(found.to_frame().columns) >= {"a", "b", "score", "uri_a", "uri_b"}
    pairs = found.to_frame()
    # the geometric check keeps a pair from 0.02 below the threshold only when verified
    assert (pairs["score"] >= 0.93).all() and pairs.query("score < 0.95")["verified"].all()
    assert found.method == "exact, cosine scores" and "near-duplicate pairs" in str(found)
    assert set(found.groups_frame()["id"]) == {i for g in found.groups for i in g}
    approximate = col.duplicates(0.95, exact=False, scoring="cosine")
    assert approximate.method.startswith("approximate") and approximate.recall is not None


def test_exact_duplicates_need_no_model(tmp_path, dup_dir, col):
    frame = col.exact_duplicates()
    assert set(frame["id"]) == ids_of(col, "chelsea.png", "chelsea_copy.png", "chelsea.bmp")
    assert set(frame["kind"]) == {"pixels"}  # the BMP has other bytes, same pixels


def test_dedup_writes_a_decision_and_touches_no_file(col, dup_dir):
    before = sorted(p.name for p in dup_dir.iterdir())
    plan = col.dedup(0.95, keep="largest-file", scoring="cosine")
    assert sorted(p.name for p in dup_dir.iterdir()) == before
    n_removed = sum(len(g) - 1 for g in col.duplicates(0.95, scoring="cosine").groups)
    assert len(plan) == len(col.images()) - n_removed and len(plan.removed) == n_removed
    kept = plan.to_frame().query("decision == 'keep'")
    assert kept["uri"].iloc[0].endswith("chelsea.bmp")  # the biggest file


def test_dedup_moves_removed_files_only_when_asked(col, dup_dir, tmp_path):
    plan = col.dedup(keep="first-path", exact_only=True, move_removed_to=tmp_path / "removed")
    moved = sorted(p.name for p in (tmp_path / "removed").iterdir())
    assert moved == ["chelsea.png", "chelsea_copy.png"]  # chelsea.bmp sorts first
    assert (dup_dir / "chelsea.bmp").is_file() and len(plan.moved) == 2
    assert col.image(plan.removed[0]).uri.startswith(str(tmp_path / "removed"))


def test_figures(col, dup_dir):
    fig = col.show_threshold_bands(per_band=2)
    assert isinstance(fig, Figure) and len(fig.axes) == 7 * 4
    pair = col.show_pair(dup_dir / "chelsea.png", dup_dir / "chelsea_small.jpg")
    assert "centre score 0.9" in pair.texts[0].get_text()
    with pytest.raises(ValueError, match=r"The 'scoring' parameter of Collection\.show_pair"):
        col.show_pair(dup_dir / "chelsea.png", dup_dir / "coffee.jpg", scoring="l1")


def test_calibration_from_a_csv_and_from_saved_labels(col, dup_dir, tmp_path):
    p = {
        name: str(dup_dir / name)
        for name in (
            "chelsea.png",
            "chelsea_small.jpg",
            "coffee.jpg",
            "rocket.png",
            "rocket_crop.jpg",
            "astronaut.jpg",
            "astronaut_300.jpg",
        )
    }
    rows = [
        ("chelsea.png", "chelsea_small.jpg", "same"),
        ("rocket.png", "rocket_crop.jpg", "1"),
        ("astronaut.jpg", "astronaut_300.jpg", "yes"),
        ("coffee.jpg", "rocket.png", "different"),
        ("chelsea.png", "coffee.jpg", "0"),
    ]
    csv = tmp_path / "pairs.csv"
    csv.write_text("a,b,label\n" + "".join(f"{p[a]},{p[b]},{lab}\n" for a, b, lab in rows))
    result = col.calibrate(csv)
    assert result.n_same == 3 and result.n_different == 2 and -1 <= result.threshold <= 1
    assert "threshold" in str(result)
    col.label_pairs([(p[a], p[b], lab in ("same", "1", "yes")) for a, b, lab in rows])
    assert col.calibrate().threshold == pytest.approx(result.threshold)


def test_bad_input_is_one_clear_error_and_changes_nothing(col, tmp_path, dup_dir):
    before = (col.root / "catalog.sqlite").read_bytes()
    with pytest.raises(
        ValueError,
        match=r"The 'threshold' parameter of Collection.duplicates "
        r"must be a float in the range \[-1, 1\]. Got 1.5 instead.",
    ):
        col.duplicates(1.5)
    with pytest.raises(ValueError, match=r"The 'keep' parameter of Collection\.dedup"):
        col.dedup(keep="newest")
    with pytest.raises(IndexNotBuilt, match="no vectors for model 'efficientnet-lite0'"):
        col.duplicates(model="efficientnet-lite0")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{dup_dir / 'coffee.jpg'},nope,same\n")
    with pytest.raises(ImageNotFound, match="No image 'nope'"):
        col.calibrate(bad)
    bad.write_text(f"{dup_dir / 'coffee.jpg'},{dup_dir / 'rocket.png'},perhaps\n")
    with pytest.raises(ValueError, match=r"bad\.csv line 1: label 'perhaps' is not one of"):
        col.calibrate(bad)
    bad.write_text("a,b,label\nx\n")
    with pytest.raises(ValueError, match=r"bad\.csv line 2: expected 'a,b,label'"):
        col.calibrate(bad)
    with pytest.raises(ValueError, match="No labelled pairs"):
        col.calibrate()
    with pytest.raises(ImageNotFound, match="No image 'ghost'"):
        col.label_pairs([(str(dup_dir / "coffee.jpg"), "ghost", True)])
    assert np.all(np.isfinite(col.embeddings().vectors))
    assert len(col.images()) == 11
    del before  # the catalog file may be rewritten by WAL checkpoints; the rows are checked
