"""The Ray runner: the local runner's reader and embedder run as a Ray Data
``map_batches`` over an actor pool; the planning before them and the writer after them
run on the driver, as locally.

- The records left to read after planning (what is unchanged since the last run is
  skipped: :class:`~lookalike.pipeline.plan.Planner`) become a Ray Dataset of ``(uri,
  id, metadata)`` rows, a block per batch.
- Each actor builds the collection's backbone once, from the model's spec, and maps a
  batch of rows through the local reader (:func:`~lookalike.pipeline.reader.read_records`:
  the same decode, hashing and error reasons, the centre view from the same decode) and
  the local :class:`~lookalike.pipeline.embedder.Embedder`.
- The results come back to the driver in input order as shards (position, content hash,
  catalog row, error, the vector and centre-view vector of each image); each shard is
  committed by the local :class:`~lookalike.pipeline.writer.Writer`, so a run cut off at
  any point keeps every shard committed before it and the next run embeds only the rest.

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
from itertools import islice
from typing import Any

import numpy as np

from lookalike.errors import LookalikeError
from lookalike.models import Backbone
from lookalike.pipeline.embedder import Embedded, Embedder
from lookalike.pipeline.job import IndexJob, one_writer
from lookalike.pipeline.ray_session import (
    RayUnavailable,
    _Loaders,
    _to_row,
    ray_session,
    require_ray,
)
from lookalike.pipeline.reader import Batch, ReadItem, read_records
from lookalike.pipeline.report import IndexReport
from lookalike.sources import ImageRecord
from lookalike.store import Store

__all__ = ["RayUnavailable", "index_records_ray", "ray_session", "require_ray"]


class _EmbedActor:
    """One Ray actor: the backbone built once from ``spec``, then each batch through the
    local runner's own parts: the reader (same decode, hashing and error reasons, the
    centre view from the same decode) and the embedder."""

    def __init__(self, spec: str, name: str, threads: int, centre: bool) -> None:
        from lookalike import models

        backbone = models.get_backbone(spec)
        if backbone.name != name:  # another registry on this node: refuse, say why
            raise LookalikeError(
                f"On this Ray worker {spec!r} builds the model {backbone.name!r}, "
                f"not {name!r}: install the same lookalike and models on every node."
            )
        self.embedder = Embedder(backbone, centre=centre)
        self.threads = threads
        self.loaders = _Loaders()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        backbone = self.embedder.backbone
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
                centre=self.embedder.centre is not None,
            )
        )
        embedded = self.embedder.embed(items)
        columns = {
            "pos": np.asarray(batch["pos"], dtype=np.int64),
            "hash": np.array([item.hash or "" for item in items], dtype=object),
            "error": np.array([item.error or "" for item in items], dtype=object),
            "row": np.array([json.dumps(item.row) for item in items], dtype=object),
            "vector": _per_item(items, embedded.hashes, embedded.vectors, backbone.dim),
        }
        if self.embedder.centre is not None:
            columns["centre"] = _per_item(
                items, embedded.centre_hashes, embedded.centre_vectors, backbone.dim
            )
        return columns


def _per_item(
    items: list[ReadItem], hashes: list[str], vectors: np.ndarray, dim: int
) -> np.ndarray:
    """The rows of ``vectors`` (one per content of ``hashes``) spread to ``items``: a
    table column, zeros where an item has none."""
    out = np.zeros((len(items), dim), dtype=np.float32)
    row = {h: i for i, h in enumerate(hashes)}
    for i, item in enumerate(items):
        if item.hash in row:
            out[i] = vectors[row[item.hash]]
    return out


def _from_columns(
    batch: dict[str, np.ndarray], todo: list[ImageRecord], wait: float
) -> tuple[Batch, Embedded]:
    """A result batch of the actors as the local parts' values: the read items (without
    model inputs) and what the embedder gave for them."""
    items = [
        ReadItem(
            record=todo[int(pos)],
            hash=str(hash_) or None,
            row=json.loads(str(row)),
            error=str(error) or None,
        )
        for pos, hash_, error, row in zip(
            batch["pos"], batch["hash"], batch["error"], batch["row"], strict=True
        )
    ]
    whole = _per_content(items, batch["vector"])
    centre = _per_content(items, batch["centre"]) if "centre" in batch else ([], whole[1][:0])
    return Batch(items, wait), Embedded(whole[0], whole[1], centre[0], centre[1])


def _per_content(items: list[ReadItem], column: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The hashes of the items read, each once, and their rows of ``column``."""
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.ok:
            first.setdefault(item.hash, i)  # type: ignore[arg-type]
    return list(first), np.asarray(column, dtype=np.float32)[list(first.values())]


# Records sent to the cluster at a time, each window a dataset of its own: the driver
# holds one window's records (a source of 32 million page images would not fit in its
# memory), and each window's actor pool loads the model again, a few seconds against the
# quarter of an hour a window of 50,000 images takes one core.
WINDOW = 50_000


@one_writer  # the local runner's rules: one writer at a time, nothing embedded twice
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
    walked: str | None = None,
    skipped: list[tuple[str, str]] | None = None,
    views: bool = True,
) -> IndexReport:
    """:func:`~lookalike.pipeline.index_records` with the reading and embedding done by
    a pool of Ray actors; same report, same collection (centre views included).

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
    walked, skipped, views, update_catalog :
        As for :func:`~lookalike.pipeline.index_records`.
    """
    require_ray()  # before anything is written: without Ray, say how to install it
    if num_cpus <= 0 and num_gpus <= 0:
        raise ValueError("A Ray actor needs some resource: give num_cpus or num_gpus > 0.")
    job = IndexJob(
        store,
        backbone,
        source=source,
        spec=spec,
        update_catalog=update_catalog,
        views=views,
        walked=walked,
        skipped=skipped,
        progress=progress,
    )
    # The records to read are planned (streaming) and sent to the cluster a window at a
    # time: the driver holds one window's records, never a whole source's.
    planned = job.todo(records)
    todo = list(islice(planned, WINDOW))
    if not todo:  # nothing to read: no cluster to start
        return job.finish()
    threads = workers or max(1, math.ceil(num_cpus))
    with ray_session(address) as ray, job.writer() as writer:
        while todo:
            for batch, vectors in _embedded_batches(
                ray, todo, backbone, spec, job.centre, batch_size, actors, num_cpus, num_gpus,
                threads,
            ):
                writer.write(batch, vectors)
                job.wrote(len(batch.items))
            todo = list(islice(planned, WINDOW))
    return job.finish()


def _embedded_batches(
    ray: Any,
    todo: list[ImageRecord],
    backbone: Backbone,
    spec: str,
    centre: bool,
    batch_size: int,
    actors: int | None,
    num_cpus: float,
    num_gpus: float,
    threads: int,
) -> Iterator[tuple[Batch, Embedded]]:
    """The records of ``todo`` read and embedded on the cluster, in input order, as the
    local parts' values (the batch with the seconds waited for it, its vectors)."""
    from ray.util.client import ray as client

    if actors is None:
        resources = ray.cluster_resources()
        if num_gpus:
            actors = max(1, int(resources.get("GPU", 0) // num_gpus))
        else:
            actors = max(1, int(resources.get("CPU", 1) // num_cpus))
    # Every source (a folder, a list, a IIIF manifest, a Parquet file of paths) reaches
    # here as the planned records, and becomes the dataset by one path. A Parquet source
    # is not handed to ``ray.data.read_parquet``: that would skip the driver's planning
    # (nothing unchanged embedded again, the run resumable), the resolution of relative
    # paths and the rows without a path; the rows here are small, and only those to read.
    rows = [_to_row(i, r) for i, r in enumerate(todo)]
    args = (rows, spec, backbone.name, centre, batch_size, actors, num_cpus, num_gpus, threads)
    if client.is_connected():
        # Through Ray Client (ray://) Ray Data cannot execute here: a coordinator actor
        # on the cluster runs the dataset and hands its result batches over one by one.
        coordinator = ray.remote(num_cpus=0)(_Coordinator).remote(*args)
        results = iter(lambda: ray.get(coordinator.next.remote()), None)
    else:
        results = _result_batches(*args)

    t0 = time.perf_counter()
    while True:
        try:
            columns = next(results, None)
        except ray.exceptions.RayError as err:  # a model that does not build on a node...
            raise LookalikeError(f"Indexing on Ray failed on a worker: {_cause(err)}") from err
        if columns is None:
            return
        yield _from_columns(columns, todo, time.perf_counter() - t0)
        t0 = time.perf_counter()


def _result_batches(
    rows: list[dict],
    spec: str,
    name: str,
    centre: bool,
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
            fn_constructor_kwargs={
                "spec": spec,
                "name": name,
                "threads": threads,
                "centre": centre,
            },
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
