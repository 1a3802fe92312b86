"""Indexing on a Ray cluster: the expensive stage (read, decode, embed) runs as a Ray Data
``map_batches`` over an actor pool; the planning before it and the writing after it are
the local pipeline's own (:mod:`lookalike.pipeline.indexing`), on the driver.

- The records left to read after :func:`~lookalike.pipeline.indexing._plan` (what is
  unchanged since the last run is skipped) become a Ray Dataset of ``(uri, id,
  metadata)`` rows, a block per batch.
- Each actor builds the collection's backbone once, from the model's spec, and maps a
  batch of rows through the local reader (:func:`~lookalike.pipeline.indexing.read_records`:
  the same decode, hashing and error reasons) and ``Backbone.embed``.
- The results come back to the driver in input order as shards of ``.npy``-ready rows
  (position, content hash, catalog row, error, vector); each shard is committed through
  :meth:`Store.commit` by the local writer, so a run cut off at any point keeps every
  shard committed before it and the next run embeds only the rest.

The collection stays on the driver's disk; workers only need to reach the images (a
shared file system, or URLs). Ray is an optional dependency (``lookalike[ray]``).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from lookalike.errors import LookalikeError
from lookalike.models import Backbone
from lookalike.pipeline.indexing import (
    IndexReport,
    ReadItem,
    _missing_by_hash,
    _one_writer,
    _plan,
    _write_batch,
    read_records,
)
from lookalike.sources import ImageRecord
from lookalike.store import Store

__all__ = ["RayUnavailable", "index_records_ray", "ray_session", "require_ray"]

INSTALL_HINT = 'Indexing with --engine ray needs Ray: pip install "lookalike[ray]"'


class RayUnavailable(LookalikeError, ImportError):
    """Ray is not installed (``--engine ray`` says how to install it)."""


def require_ray() -> Any:
    """The ``ray`` module (with Ray Data), or :class:`RayUnavailable` saying how to
    install it."""
    try:
        import ray
        import ray.data  # the extra is ray[data]: plain ray has no Dataset
    except ImportError as err:
        raise RayUnavailable(f"{INSTALL_HINT} ({err}).") from None
    return ray


@contextmanager
def ray_session(address: str | None = None) -> Iterator[Any]:
    """The ``ray`` module, connected: to the session this process has already, else to
    ``address`` (``"auto"``, ``"ray://head:10001"``), else to a new local cluster on this
    machine's cores (shut down on exit, as is a connection this opened)."""
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
    except (ConnectionError, ImportError, RuntimeError) as err:  # no cluster there
        where = f"the Ray cluster at {address!r}" if address else "a local Ray cluster"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise LookalikeError(f"Cannot connect to {where}: {first}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


# -- records on the wire ------------------------------------------------------------------
# A record's loader (a IIIF client with its connection pool and lock) does not travel;
# the row says what it is, and each actor makes its own loader again.


def _to_row(position: int, record: ImageRecord) -> dict[str, Any]:
    return {
        "pos": position,
        "uri": record.uri,
        "id": record.id or "",
        "metadata": json.dumps(record.metadata),
        "remote": not record.is_local,
    }


class _Loaders:
    """The loaders of remote records, made once per actor: ``http(s)://`` through a
    :class:`~lookalike.sources.IIIFClient` (cache, rate limit, retries), as
    :func:`lookalike.sources.records_of_uris` reads catalogued URLs again; any other
    scheme (``s3://``, ``gs://``, ``hdfs://``...) through :mod:`pyarrow.fs`."""

    def __init__(self) -> None:
        self._iiif = None

    def record(self, uri: str, id_: str, metadata: dict, remote: bool) -> ImageRecord:
        if not remote:
            return ImageRecord(uri=uri, id=id_ or None, metadata=metadata)
        if uri.startswith(("http://", "https://")):
            service = metadata.get("iiif_service") == uri
            return ImageRecord(uri, id_ or None, metadata, lambda u: self._http(u, service))
        return ImageRecord(uri, id_ or None, metadata, self._object_store)

    def _http(self, uri: str, service: bool) -> bytes:
        if self._iiif is None:
            from lookalike.sources import IIIFClient

            self._iiif = IIIFClient()
        return self._iiif.get_image(uri, service)

    def _object_store(self, uri: str) -> bytes:
        import pyarrow.fs

        filesystem, path = pyarrow.fs.FileSystem.from_uri(uri)
        with filesystem.open_input_stream(path) as stream:
            return stream.read()


class _EmbedActor:
    """One Ray actor: the backbone built once from ``spec``, then read + embed per batch
    exactly as the local pipeline does (same reader, same error reasons)."""

    def __init__(self, spec: str, name: str, threads: int) -> None:
        from lookalike import models

        self.backbone = models.get_backbone(spec)
        if self.backbone.name != name:  # another registry on this node: refuse, say why
            raise LookalikeError(
                f"On this Ray worker {spec!r} builds the model {self.backbone.name!r}, "
                f"not {name!r}: install the same lookalike and models on every node."
            )
        self.threads = threads
        self.loaders = _Loaders()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        backbone = self.backbone
        records = [
            self.loaders.record(str(uri), str(id_), json.loads(str(meta)), bool(remote))
            for uri, id_, meta, remote in zip(
                batch["uri"], batch["id"], batch["metadata"], batch["remote"], strict=True
            )
        ]
        items = list(
            read_records(
                records,
                backbone.input_size,
                workers=self.threads,
                prefetch=max(1, len(records)),
                view=backbone.view,
            )
        )
        vectors = np.zeros((len(items), backbone.dim), dtype=np.float32)
        ok = [i for i, item in enumerate(items) if not item.error and item.hash]
        if ok:
            vectors[ok] = backbone.embed(np.stack([items[i].pixels for i in ok]))
        return {
            "pos": np.asarray(batch["pos"], dtype=np.int64),
            "hash": np.array([item.hash or "" for item in items], dtype=object),
            "error": np.array([item.error or "" for item in items], dtype=object),
            "row": np.array([json.dumps(item.row) for item in items], dtype=object),
            "vector": vectors,
        }


class _Computed(Backbone):
    """The backbone as the local writer sees it on the driver: the cluster computed the
    vectors already, so a batch's "pixels" are its vectors and ``embed`` passes them on."""

    def __init__(self, backbone: Backbone) -> None:
        self.name = backbone.name
        self.dim = backbone.dim
        self.input_size = backbone.input_size
        self.view = backbone.view

    def embed(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(images, dtype=np.float32)


@_one_writer  # the local runner's rules: one writer at a time, nothing embedded twice
def index_records_ray(
    store: Store,
    records: Iterable[ImageRecord],
    backbone: Backbone,
    *,
    spec: str,
    source: str = "",
    batch_size: int = 32,
    address: str | None = None,
    actors: int | None = None,
    num_cpus: float = 1.0,
    num_gpus: float = 0.0,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    update_catalog: bool = True,
) -> IndexReport:
    """:func:`~lookalike.pipeline.indexing.index_records` with the reading and embedding
    done by a pool of Ray actors; same report, same collection.

    Parameters
    ----------
    spec : str
        What builds ``backbone`` on a worker (:func:`lookalike.models.spec_of`).
    address : str, optional
        The Ray cluster: ``"auto"`` (the one this machine belongs to) or
        ``"ray://head:10001"``; default a new local cluster (or the session this process
        opened already).
    actors : int, optional
        Actors in the pool (one model each); default as many as the cluster's CPUs (or
        GPUs, with ``num_gpus``) hold.
    num_cpus, num_gpus : float
        Resources reserved per actor; its inference threads follow ``num_cpus``.
    workers : int, optional
        Decoding threads per actor (default: its CPUs).
    """
    require_ray()  # before anything is written: without Ray, say how to install it
    if num_cpus <= 0 and num_gpus <= 0:
        raise ValueError("A Ray actor needs some resource: give num_cpus or num_gpus > 0.")
    start = time.perf_counter()
    records = list(records)
    report = IndexReport(source=source, model=backbone.name, seen=len(records))
    if spec is not None:
        store.catalog.set_model_spec(backbone.name, spec)
    todo, report.unchanged = _plan(store, records, backbone.name)
    known = store.catalog.uri_index()
    missing = _missing_by_hash(known) if update_catalog else {}
    embedded = store.embedded_hashes(backbone.name)  # a lost vector is embedded again
    done = report.unchanged
    if progress:
        progress(done, len(records))
    if not todo:  # nothing to read: no cluster to start
        report.seconds = time.perf_counter() - start
        return report

    with ray_session(address) as ray:
        computed = _Computed(backbone)
        threads = workers or max(1, math.ceil(num_cpus))
        with store.catalog.run(source, backbone.name) as run_id:
            for items, wait in _embedded_batches(
                ray, todo, backbone, spec, batch_size, actors, num_cpus, num_gpus, threads
            ):
                _write_batch(
                    store,
                    computed,
                    items,
                    embedded,
                    missing,
                    known,
                    report,
                    run_id,
                    wait,
                    update_catalog,
                    spec=spec,
                )
                done += len(items)
                if progress:
                    progress(done, len(records))
    report.seconds = time.perf_counter() - start
    return report


def _embedded_batches(
    ray: Any,
    todo: list[ImageRecord],
    backbone: Backbone,
    spec: str,
    batch_size: int,
    actors: int | None,
    num_cpus: float,
    num_gpus: float,
    threads: int,
) -> Iterator[tuple[list[ReadItem], float]]:
    """The records of ``todo`` read and embedded on the cluster, as the local reader's
    items (``pixels`` holding the vector), in input order, with the seconds waited."""
    from ray.util.client import ray as client

    if actors is None:
        resources = ray.cluster_resources()
        if num_gpus:
            actors = max(1, int(resources.get("GPU", 0) // num_gpus))
        else:
            actors = max(1, int(resources.get("CPU", 1) // num_cpus))
    rows = [_to_row(i, r) for i, r in enumerate(todo)]
    args = (rows, spec, backbone.name, batch_size, actors, num_cpus, num_gpus, threads)
    if client.is_connected():
        # Through Ray Client (ray://) Ray Data cannot execute here: a coordinator actor
        # on the cluster runs the dataset and hands its result batches over one by one.
        coordinator = ray.remote(num_cpus=0)(_Coordinator).remote(*args)
        batches = iter(lambda: ray.get(coordinator.next.remote()), None)
    else:
        batches = _result_batches(*args)

    t0 = time.perf_counter()
    while True:
        try:
            batch = next(batches, None)
        except ray.exceptions.RayError as err:  # a model that does not build on a node...
            raise LookalikeError(f"Indexing on Ray failed on a worker: {_cause(err)}") from err
        if batch is None:
            return
        wait = time.perf_counter() - t0
        items = [
            ReadItem(
                record=todo[int(pos)],
                hash=str(hash_) or None,
                pixels=vector,
                row=json.loads(str(row)),
                error=str(error) or None,
            )
            for pos, hash_, error, row, vector in zip(
                batch["pos"],
                batch["hash"],
                batch["error"],
                batch["row"],
                batch["vector"],
                strict=True,
            )
        ]
        yield items, wait
        t0 = time.perf_counter()


def _result_batches(
    rows: list[dict],
    spec: str,
    name: str,
    batch_size: int,
    actors: int,
    num_cpus: float,
    num_gpus: float,
    threads: int,
) -> Iterator[dict[str, np.ndarray]]:
    """Run ``rows`` through the actor pool; the result batches, in order."""
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    logging.getLogger("ray.data").setLevel(logging.WARNING)
    # It says at every run that the progress bars are off (this one is the CLI's).
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    # A block per batch: each shard reaches the driver (and is committed) as soon as an
    # actor has embedded it, and no actor waits while another holds a long block.
    n_blocks = math.ceil(len(rows) / batch_size)
    # The dataset takes a copy of this process's Ray Data settings: set ours for it only.
    ctx = DataContext.get_current()
    saved = ctx.execution_options.preserve_order, ctx.enable_progress_bars
    ctx.execution_options.preserve_order = True  # ids are given in order, as locally
    ctx.enable_progress_bars = False
    try:
        dataset = ray.data.from_items(rows, override_num_blocks=n_blocks).map_batches(
            _EmbedActor,
            fn_constructor_kwargs={"spec": spec, "name": name, "threads": threads},
            batch_size=batch_size,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=min(actors, n_blocks)),
            num_cpus=num_cpus,
            num_gpus=num_gpus,
        )
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved
    yield from dataset.iter_batches(batch_size=batch_size, batch_format="numpy")


class _Coordinator:
    """Runs :func:`_result_batches` on the cluster for a driver on Ray Client."""

    def __init__(self, *args: Any) -> None:
        self._batches = _result_batches(*args)

    def next(self) -> dict[str, np.ndarray] | None:
        return next(self._batches, None)


def _cause(err: Exception) -> str:
    """The line of a worker's traceback that names its error (``ModelUnavailable: ...``),
    else the first line of the Ray error."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    named = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Unavailable): ", line)]
    if named:
        name, _, message = named[-1].partition(": ")
        return f"{name.rsplit('.', 1)[-1]}: {message}"
    return lines[0] if lines else type(err).__name__
