"""Readers never write, writers never delete what another process may still use, and a
collection damaged by an older lookalike is detected and repaired (real files, real
processes where it matters)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import lookalike
from lookalike.pipeline import index_records
from lookalike.sources import records_from
from lookalike.store import Store
from tests.conftest import PixelBackbone


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (but the writer lock) -> (size, mtime_ns)."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "writer.lock"
    }


@pytest.fixture()
def two_chunk_col(tmp_path, photos_dir) -> Path:
    """A collection of ``photos_dir`` indexed by two runs, with the small test model."""
    store = Store.create(tmp_path / "col")
    paths = sorted(photos_dir.iterdir())
    index_records(store, records_from(paths[:4]), PixelBackbone(), batch_size=2)
    index_records(store, records_from(paths[4:]), PixelBackbone(), batch_size=2)
    store.close()
    return tmp_path / "col"


def split_chunks(col_path: Path) -> None:
    """Rewrite the model's vectors as one chunk per image (what a run in progress holds)."""
    store = Store.open(col_path)
    emb = store.embeddings("test-pixels")
    hashes = {r.id: r.content_hash for r in store.catalog.images(status="ok")}
    for image_id, vector in zip(emb.ids, np.array(emb.vectors), strict=True):
        store.commit("test-pixels", emb.dim, [], [hashes[image_id]], vector[None])
    store.close()


def test_a_reader_writes_nothing(two_chunk_col):
    col_path = two_chunk_col
    split_chunks(col_path)
    before = snapshot(col_path)
    n_chunks = len(list((col_path / "vectors" / "test-pixels").glob("chunk-*.npy")))
    assert n_chunks > 1
    col = lookalike.open(col_path)
    emb = col.embeddings("test-pixels")
    col.neighbors(emb.ids[0], k=3, model="test-pixels")
    col.info()
    after = snapshot(col_path)
    # Not one file added, removed or rewritten (WAL/shm files aside: SQLite's own).
    keep = lambda snap: {k: v for k, v in snap.items() if not k.endswith(("-wal", "-shm"))}  # noqa: E731
    assert keep(after) == keep(before)


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from lookalike.store import Store
    store = Store.open(sys.argv[1])
    with store.writing():  # what Store.commit does, slowed down between its two steps
        name = store.vector_files("test-pixels").write_chunk(np.full((1, 108), 0.5))
        print(name, flush=True)
        time.sleep(float(sys.argv[2]))
        with store.catalog.transaction() as cur:
            cur.execute(
                "INSERT INTO embeddings (model, content_hash, chunk, row)"
                " VALUES ('test-pixels', 'in-flight', ?, 0)", (name,)
            )
    """
)


def test_a_second_writer_waits_and_never_removes_a_chunk_in_flight(two_chunk_col, photos_dir):
    col_path = two_chunk_col
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(col_path), "2"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    in_flight = holder.stdout.readline().strip()  # written, not yet in the catalog
    assert in_flight.startswith("chunk-")
    store = Store.open(col_path)
    waited: list[str] = []
    store.on_wait = waited.append
    t0 = time.monotonic()
    index_records(store, records_from(photos_dir), PixelBackbone())
    assert time.monotonic() - t0 > 1.0 and len(waited) == 1, "the second writer must wait"
    assert "Another process is writing" in waited[0]
    assert holder.wait(timeout=30) == 0
    # The other writer's vector survived (compacted by the second writer, not deleted).
    rows = {h: (c, r) for h, c, r in store.catalog.chunk_rows("test-pixels")}
    chunk, row = rows["in-flight"]
    vector = np.load(col_path / "vectors" / "test-pixels" / f"{chunk}.npy")[row]
    np.testing.assert_array_equal(vector, np.full(108, 0.5, dtype=np.float32))
    assert not store.damage()


def test_damage_is_detected_and_repaired_by_index(two_chunk_col, photos_dir):
    col_path = two_chunk_col
    split_chunks(col_path)
    store = Store.open(col_path)
    emb = store.embeddings("test-pixels")
    rows = {r[0]: r[1] for r in store.catalog.embedding_rows("test-pixels")}
    lost = sorted(emb.ids[:2])
    for image_id in lost:  # what an older lookalike's reader did: chunks deleted
        (col_path / "vectors" / "test-pixels" / f"{rows[image_id]}.npy").unlink()
    store.close()

    col = lookalike.open(col_path)
    info = col.info()
    assert sorted(i for i, _, _ in info.damaged["test-pixels"]) == lost
    assert "2 images lost their vectors" in str(info)
    emb = col.embeddings("test-pixels")  # the rest stays usable
    assert len(emb) == len(rows) - 2 and not set(lost) & set(emb.ids)
    health = col.check()
    assert not health.ok and "2 images lost their vectors" in str(health)

    report = index_records(Store.open(col_path), records_from(photos_dir), PixelBackbone())
    assert report.embedded == 2
    col = lookalike.open(col_path)
    assert not col.info().damaged and col.check().ok
    assert len(col.embeddings("test-pixels")) == len(rows)
    files = list((col_path / "vectors" / "test-pixels").iterdir())
    assert len(files) == 1  # compacted by the writer, under its lock


def test_check_repair_reembeds_lost_vectors(two_chunk_col):
    col_path = two_chunk_col
    store = Store.open(col_path)
    before = store.embeddings("test-pixels")
    ref = dict(zip(before.ids, np.array(before.vectors), strict=True))
    chunk = store.catalog.embedding_rows("test-pixels")[0][1]
    store.close()
    (col_path / "vectors" / "test-pixels" / f"{chunk}.npy").write_bytes(b"\x93NUMPY")  # torn
    col = lookalike.open(col_path)
    assert not col.check().ok
    fixed = col.check(repair=True)
    assert fixed.ok, str(fixed)
    emb = lookalike.open(col_path).embeddings("test-pixels")
    assert sorted(emb.ids) == sorted(ref)
    for image_id, vector in zip(emb.ids, emb.vectors, strict=True):
        np.testing.assert_allclose(vector, ref[image_id], atol=1e-6)


def test_embeddings_follow_another_process(two_chunk_col, photos_dir):
    """A long-lived reader (the server's Collection) sees another process's commits."""
    col_path = two_chunk_col
    reader = lookalike.open(col_path)
    first = reader.embeddings("test-pixels")
    assert reader.embeddings("test-pixels") is first  # cached while nothing changes
    index_before = reader.knn_index("test-pixels")
    extra = col_path.parent / "extra"
    extra.mkdir()
    from tests.conftest import skimage_photo

    skimage_photo("camera").save(extra / "camera.png")
    writer = Store.open(col_path)
    index_records(writer, records_from(extra), PixelBackbone())
    writer.close()
    now = reader.embeddings("test-pixels")
    assert len(now) == len(first) + 1
    assert reader.knn_index("test-pixels") is not index_before
    assert reader.neighbors(now.ids[-1], k=1, model="test-pixels")[0].id != now.ids[-1]


def test_cli_check_and_repair(two_chunk_col):
    from typer.testing import CliRunner

    from lookalike.cli import app

    col_path = two_chunk_col
    runner = CliRunner()
    healthy = runner.invoke(app, ["check", str(col_path)])
    assert healthy.exit_code == 0, healthy.output
    assert "catalog: ok" in healthy.output
    for chunk in (col_path / "vectors" / "test-pixels").glob("chunk-*.npy"):
        chunk.unlink()  # every vector lost
    n = len(lookalike.open(col_path).images(status="ok"))
    info = runner.invoke(app, ["info", str(col_path)])
    assert f"{n} images lost their vectors" in info.output
    damaged = runner.invoke(app, ["check", str(col_path)])
    assert damaged.exit_code == 4
    assert f"{n} images lost their vectors" in damaged.output
    assert "its vector file is missing" in damaged.output
    repaired = runner.invoke(app, ["check", str(col_path), "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert f"repaired: {n} vectors embedded again" in repaired.output
    assert runner.invoke(app, ["check", str(col_path)]).exit_code == 0


def test_a_reader_that_loses_the_race_with_a_compaction_reads_again(two_chunk_col, photos_dir):
    col_path = two_chunk_col
    reader = Store.open(col_path)
    held = reader.embeddings("test-pixels")  # the compacted chunk, memory-mapped
    assert isinstance(held.vectors, np.memmap)
    held_copy = np.array(held.vectors)
    split_chunks(col_path)  # another process writes: new chunks, the old one unnamed
    # The race: the reader has read the catalog's rows, not opened their chunks yet...
    generation = reader.catalog.generation()
    rows = reader.catalog.embedding_rows("test-pixels")
    reader.vector_files("test-pixels").keep_maps(set())  # ...nothing mapped
    writer = Store.open(col_path)
    writer.tidy("test-pixels")  # ...when a writer compacts and deletes those chunks.
    assert not {c for _, c, _ in rows} & writer.vector_files("test-pixels").names()
    from lookalike.store._store import _CatalogMovedOn

    with pytest.raises(_CatalogMovedOn):  # a missing chunk, and the catalog moved on
        reader._load("test-pixels", rows, generation)
    now = reader.embeddings("test-pixels")  # so it reads the catalog again
    assert list(now.ids) == list(held.ids) and not reader.damage()
    np.testing.assert_array_equal(np.asarray(now.vectors), held_copy)
    # What the reader had mapped is still readable, though its file is deleted.
    assert not Path(held.vectors.filename).exists()
    np.testing.assert_array_equal(np.asarray(held.vectors), held_copy)
