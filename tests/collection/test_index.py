"""Indexing a collection: incremental, content-keyed, bad files recorded, never lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import lookalike
from lookalike.errors import CollectionNotFound, ImageNotFound, IndexNotBuilt

MODEL = "test-pixels"


@pytest.fixture()
def col(tmp_path, photos_dir):
    c = lookalike.create(tmp_path / "col")
    c.index(photos_dir, model=MODEL, batch_size=4, progress=False)
    return c


def test_index_adds_every_photo_with_a_vector(col, photos_dir):
    n_files = len(list(photos_dir.iterdir()))
    info = col.info()
    assert info.n_ok == n_files and info.n_failed == 0
    # The centre views made by the same pass are part of the model, not a second one.
    assert info.models == {
        MODEL: {"dim": 108, "vectors": n_files, "encoding": "float32", "bytes_per_image": 432}
    }
    assert len(col.embeddings(f"{MODEL}-grey-centre")) == n_files
    emb = col.embeddings()
    assert emb.vectors.shape == (n_files, 108) and emb.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb.vectors, axis=1), 1, rtol=1e-5)
    assert (col.root / "catalog.sqlite").is_file()
    assert list((col.root / "vectors" / MODEL).glob("*.npy"))


def test_reindexing_the_same_folder_embeds_nothing(col, photos_dir):
    report = col.index(photos_dir, model=MODEL, progress=False)
    assert report.unchanged == report.seen and report.embedded == 0


def test_new_files_are_added_incrementally(col, photos_dir, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    from tests.conftest import skimage_photo

    skimage_photo("motorcycle_right").save(extra / "moto_r.jpg")
    report = col.add([extra / "moto_r.jpg"], model=MODEL, progress=False)
    assert (report.added, report.embedded) == (1, 1)
    assert col.info().n_ok == len(list(photos_dir.iterdir())) + 1


def test_renamed_file_keeps_its_id_and_is_not_embedded_again(tmp_path, photos_dir):
    folder = tmp_path / "photos"
    shutil.copytree(photos_dir, folder)
    col = lookalike.create(tmp_path / "col")
    col.index(folder, model=MODEL, progress=False)
    old = col.image(str(folder / "coffee.jpg"))
    (folder / "coffee.jpg").rename(folder / "espresso.jpg")
    report = col.index(folder, model=MODEL, progress=False)
    assert (report.moved, report.embedded, report.added) == (1, 0, 0)
    new = col.image(str(folder / "espresso.jpg"))
    assert new.id == old.id and new.content_hash == old.content_hash
    with pytest.raises(ImageNotFound):
        col.image(str(folder / "coffee.jpg"))


def test_a_copied_file_reuses_the_vector_and_gets_its_own_id(tmp_path, photos_dir):
    folder = tmp_path / "photos"
    shutil.copytree(photos_dir, folder)
    shutil.copy(folder / "coffee.jpg", folder / "coffee copy.jpg")
    col = lookalike.create(tmp_path / "col")
    report = col.index(folder, model=MODEL, progress=False)
    assert report.reused == 1 and report.embedded == report.seen - 1
    a, b = col.image(str(folder / "coffee.jpg")), col.image(str(folder / "coffee copy.jpg"))
    assert a.id != b.id and {a.id, b.id} == {a.id[:12], a.id[:12] + "-2"}
    assert col.neighbors(a.id, k=1)[0].id == b.id
    assert col.neighbors(a.id, k=1)[0].score == pytest.approx(1.0, abs=1e-5)


def test_a_changed_file_is_embedded_again(tmp_path, photos_dir):
    folder = tmp_path / "photos"
    shutil.copytree(photos_dir, folder)
    col = lookalike.create(tmp_path / "col")
    col.index(folder, model=MODEL, progress=False)
    before = col.image(str(folder / "coffee.jpg"))
    shutil.copy(folder / "chelsea_small.jpg", folder / "coffee.jpg")
    report = col.index(folder, model=MODEL, progress=False)
    assert report.updated == 1 and report.reused == 1  # that content was already embedded
    after = col.image(str(folder / "coffee.jpg"))
    assert after.id == before.id and after.content_hash != before.content_hash


def test_bad_files_are_recorded_and_good_ones_indexed(tmp_path, messy_dir):
    col = lookalike.create(tmp_path / "col")
    report = col.index(messy_dir, model=MODEL, progress=False)
    reasons = {Path(uri).name: reason for uri, reason in report.failed}
    assert reasons.keys() == {
        "truncated.jpg",
        "empty.jpg",
        "notes.jpg",
        "bomb.png",
        "self.gif",
        "pipe.jpg",
    }
    assert "truncated" in reasons["truncated.jpg"]
    assert "empty file" in reasons["empty.jpg"]
    assert "not an image" in reasons["notes.jpg"]
    assert "too many pixels" in reasons["bomb.png"]
    assert "symbolic links" in reasons["self.gif"]
    assert "not a regular file" in reasons["pipe.jpg"]
    info = col.info()
    assert info.n_ok == 3 and info.n_failed == 6  # the loop is walked once
    good = {Path(u).name for u in col.images(status="ok").uri}
    assert good == {"café au lait ☕.jpg", "chat noir.png", "rocket.webp"}
    assert "bomb.png: too many pixels" in str(info)


def test_unreadable_file_is_recorded(tmp_path, messy_dir, monkeypatch):
    target = messy_dir / "café au lait ☕.jpg"
    target.chmod(0)
    if Path(target).stat().st_mode and _can_read(target):  # root reads anything: simulate
        real = Path.read_bytes

        def deny(self):
            if self == target:
                raise PermissionError(13, "Permission denied")
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", deny)
    col = lookalike.create(tmp_path / "col")
    report = col.index(messy_dir, model=MODEL, progress=False)
    assert (str(target), "permission denied") in report.failed


def _can_read(path: Path) -> bool:
    try:
        path.read_bytes()
        return True
    except PermissionError:
        return False


def test_missing_collection_and_unknown_ids_raise_clear_errors(tmp_path, col):
    with pytest.raises(CollectionNotFound, match="No collection at"):
        lookalike.open(tmp_path / "nope")
    with pytest.raises(ImageNotFound, match="No image 'nope'"):
        col.neighbors("nope")
    empty = lookalike.create(tmp_path / "empty")
    with pytest.raises(IndexNotBuilt, match="no vectors for model"):
        empty.embeddings()


def test_many_chunks_are_compacted_into_one(col):
    files = list((col.root / "vectors" / MODEL).glob("*.npy"))
    assert len(files) >= 1
    col.embeddings()
    assert len(list((col.root / "vectors" / MODEL).glob("*.npy"))) == 1
    assert col.embeddings().vectors.shape[0] == col.info().n_ok
