"""Keeping a model's vectors reduced: PCA to fewer dimensions and/or float16, for
collections whose float32 vectors do not fit in memory (docs/reduced.md).

:func:`reduce_vectors` rewrites the vectors of a model and of its views under the
store's rules: it holds the writer lock, writes the new chunks (block by block: memory
stays about one block) and the PCA file, then switches the catalog to them and to the
new encoding in one transaction, and only then deletes the old chunks. A process killed
before the switch leaves the old vectors as they were (the new files are orphans, removed
by the next writer). Vectors committed afterwards are encoded the same way
(:meth:`Store.commit`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from lookalike._mmap import read_rows
from lookalike._progress import progress_bar
from lookalike._view_names import centre_name, is_view
from lookalike.errors import IndexNotBuilt, LookalikeError, ParameterError
from lookalike.store._store import Store
from lookalike.store.encoding import Encoding, Projection, fit_stage, unit_rows

__all__ = ["ReduceReport", "check_reduction", "reduce_vectors"]

_BLOCK_ROWS = 8192


@dataclass(frozen=True)
class ReduceReport:
    """What :func:`reduce_vectors` did."""

    model: str
    before: str
    after: str
    dim: int  #: the model's own dimension
    bytes_before: int  #: per image, one vector
    bytes_after: int
    n_vectors: int  #: rewritten, the model's and its views'
    n_sample: int  #: vectors the PCA was learned on (0: no new PCA)
    seconds: float

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def __str__(self) -> str:
        if not self.changed:
            return f"The {self.model} vectors are already kept as {self.after}: nothing to do."
        learned = f", PCA learned on {self.n_sample} vectors" if self.n_sample else ""
        return (
            f"Reduced {self.n_vectors} vectors of {self.model} from {self.before} to "
            f"{self.after}: {self.bytes_before} -> {self.bytes_after} bytes per image"
            f"{learned} ({self.seconds:.1f}s)."
        )


def _target(
    store: Store, model: str, dims: int | None, param: str = "dims", where: str = "reduce"
) -> tuple[Encoding, int]:
    """(current encoding, the model's own dim); raises on a request that cannot be met."""
    if is_view(model):
        raise LookalikeError(f"{model!r} is a view: reduce its model, and the view follows.")
    known = dict(store.catalog.models())
    if model not in known:
        raise IndexNotBuilt(f"The collection has no vectors for model {model!r}.")
    current = store.encoding(model)
    _check_dims(
        dims,
        current.stored_dim(known[model]),
        model,
        param,
        where,
        ", already reduced" if current.projection else "",
    )
    return current, known[model]


def _check_dims(dims, high: int, model: str, param: str, where: str, note: str = "") -> None:
    ok = isinstance(dims, int | np.integer) and not isinstance(dims, bool)
    if dims is not None and not (ok and 1 <= dims <= high):
        allowed = f"an int in the range [1, {high}] (the {model} vectors have {high} dims{note})"
        raise ParameterError(param, where, allowed, dims)


def check_reduction(
    store: Store, model: str, dims: int | None, model_dim: int | None = None
) -> None:
    """Raise what :func:`reduce_vectors` would for ``dims`` (before a long index run),
    naming the parameter ``reduce`` of ``Collection.index``; a model without vectors yet
    is checked against ``model_dim``, when known."""
    if model in dict(store.catalog.models()):
        _target(store, model, dims, "reduce", "Collection.index")
    elif model_dim:
        _check_dims(dims, model_dim, model, "reduce", "Collection.index")


def reduce_vectors(
    store: Store,
    model: str,
    *,
    dims: int | None = None,
    float16: bool = False,
    sample: int = 20_000,
    seed: int = 0,
    progress: bool | None = None,
) -> ReduceReport:
    """Keep ``model``'s vectors (and its views') projected by PCA to ``dims`` dimensions
    (learned on ``sample`` of them, drawn with ``seed``) and/or in float16. Vectors
    already reduced can be reduced further, not back. See the module docstring."""
    started = time.perf_counter()
    with store.writing(), store._full_disk_said():
        current, dim = _target(store, model, dims, where="Collection.reduce")
        stored = current.stored_dim(dim)
        new_stage = dims is not None and dims < stored
        dtype = "float16" if float16 or current.dtype == "float16" else "float32"
        if not new_stage and dtype == current.dtype:
            desc = current.describe(dim)
            return ReduceReport(
                model,
                desc,
                desc,
                dim,
                *[current.bytes_per_vector(dim)] * 2,
                0,
                0,
                time.perf_counter() - started,
            )
        files = store.vector_files(model)
        rows = _readable_rows(store, model)
        projection = current.load_projection(files.dir)
        n_sample, name = 0, current.projection
        if new_stage:
            if min(sample, len(rows)) < dims:
                raise ValueError(
                    f"A PCA to {dims} dimensions is learned on at least {dims} vectors; "
                    f"there are {len(rows)} {model} vectors and the sample is {sample}."
                )
            picked = np.sort(np.random.default_rng(seed).permutation(len(rows))[:sample])
            learn = unit_rows(_gather(files, [rows[i] for i in picked]))
            n_sample = len(learn)
            mean, components = fit_stage(learn, dims, seed)
            del learn
            projection = (
                Projection((mean,), (components,))
                if projection is None
                else projection.then(mean, components)
            )
            name = projection.save(files.dir)
        target = Encoding(dtype, dims if new_stage else current.dims, name)
        stage = (mean, components) if new_stage else None
        switches = []
        try:
            with progress_bar(progress, f"reducing {model}") as on_progress:
                for part in (model, centre_name(model)):
                    part_rows = rows if part == model else _readable_rows(store, part)
                    if part_rows:
                        chunk = _rewrite(store, part, part_rows, stage, dtype, on_progress)
                        switches.append((part, chunk, part_rows))
            _switch(store, model, target, switches)
        finally:  # the old files once switched; else the new ones (an error, Ctrl-C)
            for part in (model, centre_name(model)):
                store.vector_files(part).remove_except(store.catalog.chunks(part))
            files.remove_projections_except(store.encoding(model).projection)
    return ReduceReport(
        model,
        current.describe(dim),
        target.describe(dim),
        dim,
        current.bytes_per_vector(dim),
        target.bytes_per_vector(dim),
        sum(len(r) for _, _, r in switches),
        n_sample,
        time.perf_counter() - started,
    )


def _switch(store: Store, model: str, target: Encoding, switches: list) -> None:
    """One transaction: every rewritten vector row names its new chunk, and the model
    its new encoding."""
    with store.catalog.transaction() as cur:
        for part, chunk, part_rows in switches:
            cur.executemany(
                "UPDATE embeddings SET chunk = ?, row = ? WHERE model = ? AND content_hash = ?",
                ((chunk, i, part, h) for i, (h, _, _) in enumerate(part_rows)),
            )
        cur.execute("UPDATE models SET encoding = ? WHERE name = ?", (target.to_json(), model))


def _readable_rows(store: Store, model: str) -> list[tuple[str, str, int]]:
    """(hash, chunk, row) of ``model``'s vectors whose chunk is readable, in image order
    (damaged ones are left as they are: ``damage()`` still lists them)."""
    files = store.vector_files(model)
    rows = store.catalog.chunk_rows(model)
    lengths = files.lengths({c for _, c, _ in rows}, fresh=True)
    rows = [r for r in rows if lengths.get(r[1], -1) > r[2]]
    order = store.catalog.hash_order()
    rows.sort(key=lambda r: order.get(r[0], len(order)))
    return rows


def _gather(files, rows: list[tuple[str, str, int]]) -> np.ndarray:
    """The stored vectors of ``rows`` as float32, gathered 1024 at a time with the maps'
    pages released in between (``_mmap.read_rows``): a random sample of a large file
    would otherwise map all of it (each faulted row maps ~64 KB around it)."""
    chunks = np.array([c for _, c, _ in rows])
    at = np.array([r for _, _, r in rows], dtype=np.int64)
    out = np.empty((len(rows), files.chunk(rows[0][1]).shape[1]), np.float32)
    for name in set(chunks.tolist()):
        mask = chunks == name
        out[mask] = read_rows(files.chunk(name), at[mask], chunk=1024)
    return out


def _rewrite(store, model, rows, stage, dtype, on_progress) -> str:
    """Write ``model``'s vectors of ``rows`` as one new chunk, through the PCA ``stage``
    (mean, components) if any, in ``dtype``; return the chunk's name."""
    files = store.vector_files(model)

    def blocks():
        for start in range(0, len(rows), _BLOCK_ROWS):
            x = unit_rows(_gather(files, rows[start : start + _BLOCK_ROWS]))
            if stage is not None:
                x = unit_rows((x - stage[0]) @ stage[1].T)
            if on_progress is not None:
                on_progress(min(start + _BLOCK_ROWS, len(rows)), len(rows))
            yield x.astype(dtype)

    out_dim = stage[1].shape[0] if stage is not None else files.chunk(rows[0][1]).shape[1]
    return files.write_chunk_blocks(len(rows), out_dim, np.dtype(dtype), blocks())
