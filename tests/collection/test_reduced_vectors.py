"""Vectors kept reduced (PCA to fewer dims and/or float16, docs/reduced.md) through a real
collection of real photos (the test-pixels descriptor): every search works on them, new
vectors and outside queries are projected the same way, a killed reduction leaves the
old vectors, bad arguments are one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA

import lookalike
from lookalike.errors import ParameterError
from lookalike.store import fingerprint
from tests.conftest import skimage_photo

MODEL = "test-pixels"
CENTRE = "test-pixels-grey-centre"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def photos(tmp_path, photos_dir):
    root = tmp_path / "photos"
    shutil.copytree(photos_dir, root)
    return root


@pytest.fixture()
def col(tmp_path, photos):
    c = lookalike.create(tmp_path / "col")
    c.index(photos, model=MODEL, progress=False)
    return c


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def files_of(col, model=MODEL):
    return sorted(p.name for p in (col.root / "vectors" / model).iterdir())


def test_pca_float16_is_the_projection_of_the_full_vectors_and_every_search_works(col, photos):
    full = np.array(col.embeddings().vectors)
    full_centre = np.array(col.embeddings(CENTRE).vectors)
    before = fingerprint(col.embeddings().ids, col.embeddings().vectors)
    report = col.reduce(6, float16=True, progress=False)
    assert report.changed and report.n_sample == len(full) == 9
    assert (report.bytes_before, report.bytes_after) == (108 * 4, 6 * 2)
    info = col.info()
    assert info.models[MODEL]["encoding"] == "PCA to 6 dims, float16"
    assert info.models[MODEL]["bytes_per_image"] == 12
    assert "kept as PCA to 6 dims, float16: 12 bytes per image" in str(info)

    emb = col.embeddings()
    assert emb.vectors.shape == (9, 6) and emb.vectors.dtype == np.float32
    got = np.asarray(emb.vectors[:])
    pca = PCA(6, random_state=0).fit(full)  # the same fit, done here independently
    want = unit(pca.transform(full))
    signs = np.sign((got * want).sum(0))  # a component's sign is arbitrary
    np.testing.assert_allclose(got, want * signs, atol=2e-3)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1, atol=1e-6)
    # The centre views went through the same projection, row by row with the vectors.
    centre = np.asarray(col.embeddings(CENTRE).vectors[:])
    np.testing.assert_allclose(centre, unit(pca.transform(full_centre)) * signs, atol=2e-3)
    assert fingerprint(emb.ids, emb.vectors) != before  # saved results are recomputed

    # Neighbours, an outside query, duplicates (centre scores), graphs, clusters.
    hits = col.neighbors(str(photos / "chelsea.png"), k=8)
    scores = got @ got[list(emb.ids).index(col.image(str(photos / "chelsea.png")).id)]
    assert [h.score for h in hits] == pytest.approx(sorted(scores)[-2::-1], abs=1e-5)
    outside = col.neighbors(query=photos / "rocket_crop.jpg", k=3)
    assert outside.hits[0].uri.endswith("rocket_crop.jpg") and outside.hits[0].score > 0.999
    found = col.duplicates(threshold=0.9)  # the three copies, by plain-cosine centre scores
    assert found.method == "exact, centre scores"
    assert found.notes[0].startswith("The test-pixels vectors are kept reduced by PCA")
    pairs = {tuple(sorted(Path(u).stem for u in p)) for p in found.pairs[["uri_a", "uri_b"]].values}
    assert pairs == {
        ("chelsea", "chelsea_small"),
        ("astronaut", "astronaut_300"),
        ("rocket", "rocket_crop"),
    }
    approximate = col.duplicates(threshold=0.9, exact=False)  # FAISS over the float16 rows
    assert approximate.method.startswith("approximate: faiss")
    assert approximate.pairs[["a", "b"]].values.tolist() == found.pairs[["a", "b"]].values.tolist()
    a, b = (list(emb.ids).index(found.pairs[k].iloc[0]) for k in ("a", "b"))
    want_score = (got[a] @ got[b] + centre[a] @ centre[b]) / 2
    assert found.pairs["score"].iloc[0] == pytest.approx(want_score, abs=1e-5)
    graph = col.knn_graph(2)  # the exact 2 nearest in the reduced space
    sims = got @ got.T - 2 * np.eye(9)
    for i in range(9):
        assert set(np.argsort(-sims[i])[:2]) <= set(graph.knn[i].indices)
    assert sum(col.clusters(2).sizes) == 9
    table = col.all_neighbors(2)  # the server's "similar images", read block by block
    assert all(set(table.rows[i]) == set(np.argsort(-sims[i])[:2]) for i in range(9))
    assert files_of(col)[-1].startswith("projection-") and len(files_of(col)) == 2


def test_new_vectors_are_encoded_as_the_stored_ones(col, tmp_path):
    col.reduce(5, float16=True, progress=False)
    more = tmp_path / "more"
    more.mkdir()
    skimage_photo("coins").save(more / "coins.png")
    col.index(more, model=MODEL, progress=False)
    emb = col.embeddings()
    assert emb.vectors.shape == (10, 5)
    row = list(emb.ids).index(col.image(str(more / "coins.png")).id)
    # The stored vector is the model's vector of the file, projected as a query is.
    np.testing.assert_allclose(emb.vectors[row], col.embed_file(more / "coins.png"), atol=2e-3)
    assert col.embeddings(CENTRE).vectors.shape == (10, 5)
    assert col.neighbors(query=more / "coins.png", k=1).hits[0].score > 0.999


def test_float16_alone_keeps_the_neighbours_and_halves_the_bytes(col, photos):
    query = str(photos / "astronaut.jpg")
    before = col.neighbors(query, k=8)
    report = col.reduce(float16=True, progress=False)
    assert (report.bytes_before, report.bytes_after) == (432, 216)
    after = col.neighbors(query, k=8)
    assert after.ids == before.ids
    assert [h.score for h in after] == pytest.approx([h.score for h in before], abs=2e-3)
    assert col.reduce(float16=True, progress=False).changed is False  # nothing to do


def test_reduced_vectors_can_be_reduced_further_not_back(col):
    col.reduce(6, progress=False)
    second = col.reduce(3, progress=False)
    assert second.after == "PCA to 3 dims, float32" and col.embeddings().dim == 3
    assert len([f for f in files_of(col) if f.startswith("projection-")]) == 1
    with pytest.raises(ParameterError, match=r"range \[1, 3\].*already reduced"):
        col.reduce(6)
    with pytest.raises(ParameterError, match="dims"):
        col.reduce(0)
    with pytest.raises(ValueError, match=r"dims.*float16"):
        col.reduce()
    with pytest.raises(ValueError, match=r"learned on at least 2 vectors.*the sample is 1"):
        col.reduce(2, sample=1)


def test_a_reduction_killed_before_its_switch_leaves_the_old_vectors(col):
    """A real process is killed (SIGKILL) once it has written its new chunk and PCA file
    and is about to switch the catalog: the collection reads as before, and the next
    writer clears what the dead one left."""
    full = np.array(col.embeddings().vectors)
    script = textwrap.dedent(
        f"""
        import os, sys, time
        import tests.conftest  # registers test-pixels
        import lookalike
        from lookalike.store import reducing

        real = reducing._switch
        def stall(*args):
            print("written", flush=True)
            time.sleep(60)
        reducing._switch = stall
        lookalike.open({str(col.root)!r}).reduce(4, float16=True, progress=False)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "written"
        left = files_of(col)
        assert any(f.startswith("projection-") for f in left) and len(left) == 3
    finally:
        proc.kill()
        proc.wait()
    again = lookalike.open(col.root)
    assert again.info().models[MODEL]["encoding"] == "float32"
    np.testing.assert_array_equal(np.asarray(again.embeddings().vectors), full)
    health = again.check()  # the dead writer's chunks (vectors, centre views) and PCA file
    assert health.ok and health.stray_files == 3
    assert again.neighbors(query=again.image_rows()[0].uri, k=1).hits[0].score > 0.999
    again.reduce(4, float16=True, progress=False)  # the next writer: tidies, then works
    assert len(files_of(again)) == 2 and again.embeddings().dim == 4


def test_cli_reduce_and_index_options_give_one_line_errors(col, photos, tmp_path):
    from typer.testing import CliRunner

    from lookalike.cli import app

    run = CliRunner().invoke
    for args, message in [
        (["reduce", str(col.root), "--dims", "0"], "Invalid value for --dims"),
        (["reduce", str(col.root), "--dims", "500"], "range [1, 108]"),
        (["reduce", str(col.root)], "Give --dims N"),
        (
            ["index", str(photos), "-c", str(col.root), "-m", MODEL, "--reduce", "109"],
            "Invalid value for --reduce",
        ),
    ]:
        result = run(app, args)
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert col.info().models[MODEL]["encoding"] == "float32"  # nothing was changed
    result = run(app, ["reduce", str(col.root), "--dims", "4", "--float16", "--no-progress"])
    assert result.exit_code == 0 and "432 -> 8 bytes per image" in result.output
    new = tmp_path / "new"
    result = run(
        app,
        [
            "index",
            str(photos),
            "-c",
            str(new),
            "-m",
            MODEL,
            "--no-progress",
            "--reduce",
            "5",
            "--float16",
        ],
    )
    assert result.exit_code == 0, result.output
    info = run(app, ["info", str(new)]).output
    assert "kept as PCA to 5 dims, float16: 10 bytes per image" in info


def test_the_server_answers_from_reduced_vectors(col, photos):
    from fastapi.testclient import TestClient

    from lookalike.server import create_app

    col.reduce(6, float16=True, progress=False)
    with TestClient(create_app(lookalike.open(col.root))) as client:
        summary = client.get("/api/collection").json()
        assert summary["models"][0]["encoding"] == "PCA to 6 dims, float16"
        upload = (photos / "coffee.jpg").read_bytes()
        hits = client.post("/api/neighbors", files={"file": ("c.jpg", upload)}).json()
        assert hits["results"][0]["score"] > 0.999
        pairs = client.get("/api/duplicates", params={"threshold": 0.9}).json()
        assert pairs["total"] == 3
