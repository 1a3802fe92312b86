"""Importing vectors computed elsewhere: .npy + ids, Parquet, pickled {path: vector};
content keying; every bad input refused with nothing written."""

from __future__ import annotations

import os
import pickle
import re
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app
from lookalike.errors import ModelUnavailable

MODEL = "test-pixels"


@pytest.fixture()
def col(tmp_path, photos_dir):
    col = lookalike.create(tmp_path / "col")
    col.index(photos_dir, model=MODEL, progress=False)
    return col


def state(col) -> tuple:
    """Everything an import may change: models, images, vector files."""
    files = sorted(p.relative_to(col.root) for p in (col.root / "vectors").rglob("*"))
    return col.models, len(col.images()), files


def rand(n: int, dim: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


def test_npy_with_ids(col, tmp_path, photos_dir):
    ids = list(col.embeddings(MODEL).ids)
    vectors = rand(len(ids), 5)
    vectors[1] = vectors[0] * 3  # the same direction: nearest neighbours
    np.save(tmp_path / "v.npy", vectors)
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    report = col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    assert (report.imported, report.matched, report.added, report.dim) == (9, 9, 0, 5)
    assert col.models == [MODEL, "ext"]
    emb = col.embeddings("ext")
    assert list(emb.ids) == ids
    np.testing.assert_allclose(np.linalg.norm(emb.vectors, axis=1), 1.0, atol=1e-6)
    hits = col.neighbors(ids[0], k=1, model="ext")
    assert hits[0].id == ids[1] and hits[0].score == pytest.approx(1.0)
    with pytest.raises(ModelUnavailable, match="Model 'ext' holds vectors imported"):
        col.neighbors(query=photos_dir / "coffee.jpg", model="ext")
    with pytest.raises(ModelUnavailable, match="Model 'ext' holds vectors imported"):
        col.index(photos_dir, model="ext", progress=False)
    # Importing again replaces the vectors (same keys).
    np.save(tmp_path / "v.npy", -vectors)
    col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    np.testing.assert_allclose(col.embeddings("ext").vectors, -emb.vectors, atol=1e-6)


def test_parquet_of_paths_creates_content_keyed_rows(tmp_path, photos_dir):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    photos_dir = shutil.copytree(photos_dir, tmp_path / "photos")
    names = sorted(f"photos/{p.name}" for p in photos_dir.iterdir())  # relative to the file
    table = pa.table(
        {"path": names, "emb": [list(r) for r in rand(len(names), 4).astype(np.float64)]}
    )
    pq.write_table(table, tmp_path / "vectors.parquet")
    col = lookalike.create(tmp_path / "fresh")
    report = col.import_vectors(
        tmp_path / "vectors.parquet", model="nb", id_column="path", vector_column="emb"
    )
    assert (report.imported, report.added, report.matched) == (9, 9, 0)
    images = col.images()
    assert set(images.uri) == {str(tmp_path / n) for n in names}
    assert images.width.notna().all()
    # Indexing the same files later finds them: same rows, same ids, vectors for both.
    before = dict(zip(images.uri, images.id, strict=True))
    col.index(photos_dir, model=MODEL, progress=False)
    after = col.images()
    assert len(after) == 9 and dict(zip(after.uri, after.id, strict=True)) == before
    assert len(col.embeddings("nb")) == len(col.embeddings(MODEL)) == 9


def test_pickled_dict_with_missing_files(col, tmp_path, photos_dir):
    vectors = rand(3, 108)
    data = {
        str(photos_dir / "coffee.jpg"): vectors[0],  # in the collection
        "/elsewhere/lost.jpg": vectors[1],  # from another machine
        "relative/lost.png": vectors[2].tolist(),
    }
    with open(tmp_path / "nb.pickle", "wb") as fh:
        pickle.dump(data, fh)
    report = col.import_vectors(tmp_path / "nb.pickle", model="notebook-vectors")
    assert (report.imported, report.matched, report.added, report.missing_files) == (3, 1, 2, 2)
    lost = col.image("/elsewhere/lost.jpg")
    assert lost.metadata == {"imported_with": "notebook-vectors", "missing_file": True}
    assert len(col.embeddings("notebook-vectors")) == 3
    assert len(col.embeddings(MODEL)) == 9  # the other model's vectors are untouched


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: np.save(d / "v.npy", rand(9, 7)), r"dim=7, but model 'ext' has dim=5"),
        (lambda d: _nan(d, np.nan), r"1 vectors contain NaN or infinite values \(first: "),
        (lambda d: _nan(d, np.inf), r"1 vectors contain NaN or infinite"),
        (lambda d: _nan(d, 0.0, all_row=True), r"1 vectors are all zeros"),
        (lambda d: np.save(d / "v.npy", rand(8, 5)), r"'ids.txt' has 9 ids but 'v.npy' has 8"),
        (lambda d: np.save(d / "v.npy", rand(9, 5)[:, :, None]), r"non-empty \(n, dim\) matrix"),
    ],
)
def test_bad_npy_changes_nothing(col, tmp_path, make, match):
    ids = list(col.embeddings(MODEL).ids)
    (tmp_path / "ids.txt").write_text("\n".join(ids))
    np.save(tmp_path / "v.npy", rand(9, 5))
    col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    before = state(col)
    make(tmp_path)
    with pytest.raises(ValueError, match=match):
        col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    assert state(col) == before


def _nan(d, value, all_row=False):
    v = rand(9, 5)
    if all_row:
        v[4] = value
    else:
        v[4, 2] = value
    np.save(d / "v.npy", v)


def test_bad_inputs_change_nothing(col, tmp_path):
    before = state(col)
    np.save(tmp_path / "v.npy", rand(2, 108))
    (tmp_path / "ids.txt").write_text("nope\nnot/here.jpg\n")
    with pytest.raises(ValueError, match=r"2 ids of 'v.npy' are not images of the collection"):
        col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    (tmp_path / "ids.txt").write_text(f"{col.images().id[0]}\n{col.images().id[0]}\n")
    with pytest.raises(ValueError, match=r"appears twice"):
        col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    with pytest.raises(ValueError, match=r"holds no ids: give them with --ids"):
        col.import_vectors(tmp_path / "v.npy", model="ext")
    np.save(tmp_path / "w.npy", rand(2, 12))
    (tmp_path / "ids.txt").write_text("\n".join(col.images().id[:2]))
    with pytest.raises(ValueError, match=r"dim=12, but model 'test-pixels' has dim=108"):
        col.import_vectors(tmp_path / "w.npy", ids=tmp_path / "ids.txt", model=MODEL)
    with pytest.raises(ValueError, match=r"dim=12, but model 'lite0' has dim=1280"):
        col.import_vectors(tmp_path / "w.npy", ids=tmp_path / "ids.txt", model="lite0")
    with pytest.raises(ValueError, match=r"'model' parameter of Collection.import_vectors"):
        col.import_vectors(tmp_path / "w.npy", ids=tmp_path / "ids.txt", model="../x")
    (tmp_path / "v.csv").write_text("a,1\n")
    with pytest.raises(ValueError, match=r"use one of .npy, .parquet, .pickle, .pkl"):
        col.import_vectors(tmp_path / "v.csv", model="ext")
    with pytest.raises(FileNotFoundError, match="No vector file"):
        col.import_vectors(tmp_path / "none.npy", ids=tmp_path / "ids.txt", model="ext")
    assert state(col) == before


def test_bad_pickles(col, tmp_path):
    before = state(col)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    cases = {
        "evil.pickle": ({"a.jpg": Evil()}, r"refusing to unpickle posix.system"),
        "list.pkl": ([1, 2], r"not a pickled \{image_path: vector\} dict \(it holds a list\)"),
        "ragged.pkl": (
            {"a.jpg": np.ones(3), "b.jpg": np.ones(4)},
            r"different lengths: 3 \('a.jpg'\) and 4 \('b.jpg'\)",
        ),
    }
    for name, (obj, match) in cases.items():
        with open(tmp_path / name, "wb") as fh:
            pickle.dump(obj, fh)
        with pytest.raises(ValueError, match=match):
            col.import_vectors(tmp_path / name, model="nb")
    assert state(col) == before


def test_parquet_missing_column(col, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"id": ["a"], "emb": [[1.0, 2.0]]}), tmp_path / "v.parquet")
    with pytest.raises(ValueError, match=r"has no column 'vector' \(columns: id, emb\)"):
        col.import_vectors(tmp_path / "v.parquet", model="nb")


def test_cli_import_and_models(col, tmp_path):
    runner = CliRunner()
    ids = list(col.embeddings(MODEL).ids)
    np.save(tmp_path / "v.npy", rand(len(ids), 5))
    (tmp_path / "ids.txt").write_text("\n".join(ids))
    args = ["import-vectors", str(col.root), str(tmp_path / "v.npy"), "--model", "ext"]
    result = runner.invoke(app, [*args, "--ids", str(tmp_path / "ids.txt")])
    assert result.exit_code == 0, result.output
    assert "Imported 9 vectors of model ext (dim 5)" in result.output
    np.save(tmp_path / "v.npy", rand(len(ids), 6))
    result = runner.invoke(app, [*args, "--ids", str(tmp_path / "ids.txt")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: 'v.npy' holds vectors of dim=6, but model 'ext' has dim=5 in this collection."
    ]
    result = runner.invoke(app, ["models", "--collection", str(col.root)])
    assert result.exit_code == 0, result.output
    assert "│ ext " in result.output
    assert re.search(r"│ test-pixels +│ 108 +│ 9 ", result.output)
    assert "Models in" in result.output
