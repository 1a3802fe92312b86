"""``index --engine ray`` on a real local Ray cluster (started once for the module, 2 CPUs)
with the real default model: the same ids, vectors, centre views, failures and skipped
files as the local engine, incremental, and resumable after a real SIGKILL of a CLI
driver attached to the cluster. Without Ray, the CLI says in one line how to install it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest
import ray

import lookalike
from lookalike.models.views import centre_name
from tests.conftest import PHOTOS, skimage_photo

# Ray Data warns about its own deprecated settings when it copies its context.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")

N_GOOD = 30


def cache_with_models(root):
    """A lookalike cache directory holding the ONNX exports of this machine's cache (so
    nothing is exported again) and nothing else."""
    from lookalike.models._onnx_cache import cache_dir

    root.mkdir(parents=True, exist_ok=True)
    (root / "onnx").symlink_to(cache_dir() / "onnx", target_is_directory=True)
    return root


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A local 2-CPU cluster whose workers cache IIIF pictures in a cache of their own."""
    cache_dir = tmp_path_factory.mktemp("worker-cache") / "lookalike"
    env = {"env_vars": {"LOOKALIKE_CACHE": str(cache_with_models(cache_dir))}}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env=env)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """30 distinct real-photo crops in two folders, an exact copy, two bad files (not an
    image, a truncated JPEG) and a file the walk leaves out (not an image type)."""
    root = tmp_path_factory.mktemp("ray-photos")
    (root / "b").mkdir()
    rng = np.random.default_rng(1)
    photos = [skimage_photo(name) for name in PHOTOS]
    for i in range(N_GOOD):
        im = photos[i % len(photos)]
        w, h = im.size
        cw, ch = int(w * rng.uniform(0.5, 0.9)), int(h * rng.uniform(0.5, 0.9))
        x, y = int(rng.integers(0, w - cw)), int(rng.integers(0, h - ch))
        sub = root / ("b" if i % 3 == 0 else "")
        im.crop((x, y, x + cw, y + ch)).resize((200, 160)).save(sub / f"crop_{i:02d}.jpg")
    (root / "b" / "copy_of_00.jpg").write_bytes((root / "b" / "crop_00.jpg").read_bytes())
    data = (root / "crop_01.jpg").read_bytes()
    (root / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (root / "notes.png").write_text("not an image\n")
    (root / "readme.txt").write_text("not an image type\n")
    return root


@pytest.fixture(scope="module")
def local_col(tmp_path_factory, folder):
    col = lookalike.create(tmp_path_factory.mktemp("local") / "col")
    report = col.index(folder, batch_size=8, progress=False)
    return col, report


def images_by_uri(col) -> dict[str, tuple]:
    return {r.uri: (r.id, r.status, r.error, r.content_hash) for r in col._store.catalog.images()}


def assert_same_vectors(emb, want, *, missing_ok: int = 0) -> None:
    """The same ids (up to ``missing_ok`` of ``want``'s absent) and vectors within 1e-5
    cosine."""
    assert set(emb.ids) <= set(want.ids)
    assert len(want.ids) - len(emb.ids) <= missing_ok
    pos = want.positions()
    cosines = np.array(
        [float(v @ want.vectors[pos[i]]) for i, v in zip(emb.ids, emb.vectors, strict=True)]
    )
    assert cosines.min() >= 1 - 1e-5, cosines.min()


def assert_same_collection(col, ref, *, centres_missing_ok: int = 0) -> None:
    """Equal catalog rows (ids, status, reasons), vectors and centre-view vectors within
    1e-5 cosine, equal failure and skipped lists."""
    assert images_by_uri(col) == images_by_uri(ref)
    emb, want = col.embeddings(), ref.embeddings()
    assert sorted(emb.ids) == sorted(want.ids)
    assert_same_vectors(emb, want)
    centre = centre_name(emb.model)  # stored at index time, from the same decode
    assert_same_vectors(
        col._store.embeddings(centre),
        ref._store.embeddings(centre),
        missing_ok=centres_missing_ok,
    )
    assert col.info().failed == ref.info().failed
    assert col.info().skipped == ref.info().skipped


def test_ray_engine_gives_the_local_collection_and_reruns_embed_nothing(
    ray_cluster, tmp_path, folder, local_col
):
    ref, local = local_col
    col = lookalike.create(tmp_path / "col")
    report = col.index(folder, engine="ray", batch_size=4, progress=False)

    assert report.failed == local.failed  # same order, same reasons
    assert sorted(os.path.basename(uri) for uri, _ in report.failed) == [
        "notes.png",
        "truncated.jpg",
    ]
    assert report.skipped == local.skipped
    assert [os.path.basename(uri) for uri, _ in report.skipped] == ["readme.txt"]
    assert str(report).splitlines()[:3] == str(local).splitlines()[:3]
    assert (report.seen, report.added, report.embedded, report.reused) == (
        local.seen,
        local.added,
        local.embedded,
        local.reused,
    )
    assert report.views_embedded == local.views_embedded == N_GOOD
    assert report.embedded == N_GOOD and report.reused == 1  # the copy: one vector
    assert_same_collection(col, ref)

    again = col.index(folder, engine="ray", batch_size=4, progress=False)
    assert again.embedded == 0 and again.added == 0
    assert again.unchanged == N_GOOD + 1
    assert again.failed == local.failed  # bad files are read again, as locally
    assert again.skipped == local.skipped and again.views_embedded == 0
    assert_same_collection(col, ref)


def count_vectors(col_path) -> int:
    """The model's vectors (not its centre views') the catalog names."""
    sql = "SELECT COUNT(*) FROM embeddings WHERE model NOT LIKE '%-centre'"
    try:
        with sqlite3.connect(col_path / "catalog.sqlite", timeout=1) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def run_cli(*args: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "lookalike.cli", "index", *args, "--no-progress"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_cli_on_the_running_cluster_killed_half_way_resumes(
    ray_cluster, tmp_path, folder, local_col
):
    ref, _ = local_col
    col_path = tmp_path / "col"
    args = (str(folder), "-c", str(col_path), "--engine", "ray", "--ray-address", "auto")
    proc = run_cli(*args, "--ray-actors", "1", "--batch-size", "1")
    deadline = time.monotonic() + 120
    while count_vectors(col_path) < 3:  # a few shards are committed
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = count_vectors(col_path)
    assert 3 <= done_before < N_GOOD, "the kill must land half-way"

    col = lookalike.open(col_path)  # resumed in this process, on the same cluster
    resumed = col.index(folder, engine="ray", ray_address="auto", progress=False)
    assert resumed.embedded == N_GOOD - done_before
    assert resumed.unchanged >= done_before  # (a copy of an embedded image is one more)
    assert len(resumed.failed) == 2

    assert [r["status"] for r in col.info().runs] == ["interrupted", "done"]
    # A kill between a batch's commit and its centre views' commit (one image here)
    # leaves that image without a centre view: `duplicates` embeds it when asked.
    assert_same_collection(col, ref, centres_missing_ok=1)
    files = list((col_path / "vectors" / col.embeddings().model).iterdir())
    assert len(files) == 1  # compacted; the killed run's orphan chunk is gone


def test_a_driver_on_ray_client_gives_the_same_collection(ray_cluster, tmp_path, folder):
    """``--ray-address ray://...``: the driver reaches the cluster through a Ray Client
    server (started here, on the test's cluster), as a laptop reaches a remote head."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gcs = ray.get_runtime_context().gcs_address
    server = subprocess.Popen(
        [sys.executable, "-m", "ray.util.client.server", "--address", gcs, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The client server takes a while to listen (more on a loaded machine): connect
        # only once it does, as a user would to a running head.
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.5)
        args = (str(folder / "b"), "-c", str(tmp_path / "col"), "--engine", "ray")
        done = run_cli(*args, "--ray-address", f"ray://127.0.0.1:{port}")
        out = done.communicate(timeout=180)[0].decode()
    finally:
        server.kill()
        server.wait()
    assert done.returncode == 0, out
    assert "11 images seen" in out and "images: 11 added" in out, out
    assert "vectors: 10 embedded, 1 reused" in out, out
    ref = lookalike.create(tmp_path / "local")
    ref.index(folder / "b", progress=False)
    assert_same_collection(lookalike.open(tmp_path / "col"), ref)


def test_workers_fetch_the_pictures_of_a_iiif_manifest(ray_cluster, tmp_path, monkeypatch):
    from tests.sources.test_iiif import PHOTOS as IIIF_PHOTOS
    from tests.sources.test_iiif import Server, manifest_v3

    monkeypatch.setenv("LOOKALIKE_CACHE", str(cache_with_models(tmp_path / "driver-cache")))
    server = Server()
    server.thread.start()
    try:
        server.documents["/m.json"] = manifest_v3(server, "m", list(IIIF_PHOTOS))
        col = lookalike.create(tmp_path / "ray")
        report = col.index(server.url("/m.json"), engine="ray", progress=False)
        pictures = [r for r in server.requests if r.startswith("/iiif/")]
        # The driver fetches the first picture (is the server there?), the actors all.
        assert len(pictures) == 1 + len(IIIF_PHOTOS)
        assert {p.split("/")[2] for p in pictures} == set(IIIF_PHOTOS)
        ref = lookalike.create(tmp_path / "local")
        local = ref.index(server.url("/m.json"), progress=False)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert (report.added, report.embedded, report.failed) == (local.added, local.embedded, [])
    assert_same_collection(col, ref)
    assert list(col.images().metadata) == list(ref.images().metadata)  # labels, services


def test_a_parquet_list_gives_the_local_collection(ray_cluster, tmp_path, folder, monkeypatch):
    """The same Parquet file of paths (relative to its folder and absolute) with ids and
    metadata, a bad file, a missing file and a row without a path, indexed locally and
    on Ray: the same collection, metadata included. Ray gets the records in windows of
    6 here (two datasets, one after the other), as a large source gets them."""
    import pyarrow as pa

    from lookalike.pipeline import ray as ray_runner

    monkeypatch.setattr(ray_runner, "WINDOW", 6)
    import pyarrow.parquet as pq

    names = [f"crop_{i:02d}.jpg" if i % 3 else f"b/crop_{i:02d}.jpg" for i in range(8)]
    names.append("truncated.jpg")
    relative = [os.path.relpath(folder / name, tmp_path) for name in names]
    paths = [
        rel if i % 2 else str(folder / name)
        for i, (name, rel) in enumerate(zip(names, relative, strict=True))
    ]
    paths += [None, "missing.jpg"]
    n = len(paths)
    table = pa.table(
        {
            "path": paths,
            "id": [f"doc-{i}" if i % 4 else None for i in range(n)],
            "title": [f"item {i}" for i in range(n)],
            "year": list(range(1900, 1900 + n)),
        }
    )
    listing = tmp_path / "list.parquet"
    pq.write_table(table, listing, row_group_size=4)

    ref = lookalike.create(tmp_path / "local")
    local = ref.index(listing, batch_size=4, progress=False)
    col = lookalike.create(tmp_path / "ray")
    report = col.index(listing, engine="ray", batch_size=4, progress=False)

    assert (report.seen, report.embedded, report.failed) == (
        local.seen,
        local.embedded,
        local.failed,
    )
    assert local.seen == n - 1 and local.embedded == 8 and len(local.failed) == 2
    null_row = (f"{listing}#row={n - 2}", "no path ('path' is null)")
    assert report.skipped == local.skipped == [null_row]
    assert_same_collection(col, ref)
    rows = {r.uri: r for r in col.image_rows()}
    assert rows[str(folder / names[2])].id == "doc-2"
    assert rows[str(folder / names[2])].metadata["title"] == "item 2"
    # "../<folder>/crop_01.jpg" against the list's folder, its ".." taken out by name, as
    # a .txt list resolves it
    assert rows[os.path.normpath(tmp_path / relative[1])].id == "doc-1"
    assert list(col.images().metadata) == list(ref.images().metadata)


def test_without_ray_the_cli_says_how_to_install_it(tmp_path, folder):
    # The import of ray fails in the child as it does where Ray is not installed.
    code = (
        "import sys; sys.modules['ray'] = None; "
        "from lookalike.cli import main; sys.argv = ['lookalike'] + sys.argv[1:]; main()"
    )
    cmd = [sys.executable, "-c", code, "index", str(folder), "-c", str(tmp_path / "col")]
    done = subprocess.run([*cmd, "--engine", "ray"], capture_output=True, text=True)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: Indexing with --engine ray needs Ray: ")
    assert 'pip install "lookalike[ray]"' in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert count_vectors(tmp_path / "col") == 0


def test_records_travel_to_workers_and_read_as_locally(folder):
    """What an actor rebuilds from a dataset row reads as the record the driver had: a
    local path, and a URL of an object store (here pyarrow.fs's file:// scheme)."""
    from lookalike.pipeline.ray_session import _Loaders, _to_row
    from lookalike.pipeline.reader import read_one
    from lookalike.sources import ImageRecord

    path = folder / "crop_01.jpg"
    loaders = _Loaders()
    for record in (
        ImageRecord(uri=str(path), id="given", metadata={"title": "a crop"}),
        ImageRecord(uri=path.as_uri(), loader=lambda uri: path.read_bytes()),
    ):
        row = _to_row(7, record)
        rebuilt = loaders.record(row["uri"], row["id"], json.loads(row["metadata"]), row["remote"])
        assert (rebuilt.uri, rebuilt.id, rebuilt.metadata) == (
            record.uri,
            record.id,
            record.metadata,
        )
        assert rebuilt.is_local == record.is_local
        here, there = read_one(record, 224), read_one(rebuilt, 224)
        assert there.error is None and there.hash == here.hash
        assert np.array_equal(there.pixels, here.pixels)
        assert {k: v for k, v in there.row.items() if k != "mtime"} == {
            k: v for k, v in here.row.items() if k != "mtime"
        }


def test_a_model_that_does_not_build_on_the_workers_stops_with_one_line(
    ray_cluster, tmp_path, folder
):
    from lookalike.models import get_backbone
    from lookalike.pipeline.ray import index_records_ray
    from lookalike.sources import records_from
    from lookalike.store import Store

    store = Store.create(tmp_path / "col")
    missing = tmp_path / "gone.onnx"  # the spec names a file no worker has
    with pytest.raises(lookalike.LookalikeError) as err:
        index_records_ray(store, records_from(folder / "b"), get_backbone(), spec=f"onnx:{missing}")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("Indexing on Ray failed on a worker: ModelUnavailable: ")
    assert str(missing) in message
    assert count_vectors(tmp_path / "col") == 0
    assert [r["status"] for r in store.catalog.runs()] == ["failed"]  # not left "running"
