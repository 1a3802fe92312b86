"""Vectors on disk: per model, immutable ``.npy`` chunks, memory-mapped when read.

A chunk is written to a temporary name, flushed and renamed, and only then recorded in
the catalog; a chunk the catalog does not mention (the process died in between) is an
orphan and is removed by the next writer. At the end of its run a writer compacts the
chunks into one, in image order, so that reading the vectors of a whole collection is a
single memory map. Readers never write or delete (see ``store._store``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from lookalike._files import atomic_file

__all__ = ["VectorFiles"]


class VectorFiles:
    """The chunk files of one model under ``<collection>/vectors/<model>/``."""

    def __init__(self, root: str | Path, model: str) -> None:
        self.dir = Path(root) / model
        self._mmaps: dict[str, np.ndarray] = {}

    def write_chunk(self, vectors: np.ndarray) -> str:
        """Write ``vectors`` (float32, or float16 for a model kept so) durably as a new
        chunk and return its name."""
        dtype = np.float16 if vectors.dtype == np.float16 else np.float32
        name = f"chunk-{uuid.uuid4().hex[:16]}"
        # Durable (fsynced) before it is renamed, and so before the catalog names it; the
        # temp name starts with "." so that remove_except() clears one a crash left. A
        # failed write (a full disk) removes its temp file at once.
        with atomic_file(self.dir / f"{name}.npy", temp=self.dir / f".{name}.tmp") as fh:
            np.save(fh, np.ascontiguousarray(vectors, dtype=dtype))
        return name

    def write_chunk_blocks(
        self, n_rows: int, dim: int, dtype: np.dtype, blocks: Iterable[np.ndarray]
    ) -> str:
        """Write a chunk of ``n_rows`` rows given as consecutive ``blocks``, durably as
        :meth:`write_chunk`, holding one block in memory at a time."""
        name = f"chunk-{uuid.uuid4().hex[:16]}"
        header = {
            "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
            "fortran_order": False,
            "shape": (n_rows, dim),
        }
        written = 0
        with atomic_file(self.dir / f"{name}.npy", temp=self.dir / f".{name}.tmp") as fh:
            np.lib.format.write_array_header_1_0(fh, header)
            for block in blocks:
                fh.write(np.ascontiguousarray(block, dtype=dtype).tobytes())
                written += len(block)
            if written != n_rows:
                raise ValueError(f"a chunk of {n_rows} rows was given {written}")
        return name

    def chunk(self, name: str) -> np.ndarray:
        """The chunk ``name``, memory-mapped read-only."""
        if name not in self._mmaps:
            self._mmaps[name] = np.load(self.dir / f"{name}.npy", mmap_mode="r")
        return self._mmaps[name]

    def names(self) -> set[str]:
        """The chunks on disk."""
        if not self.dir.exists():
            return set()
        return {p.name.removesuffix(".npy") for p in self.dir.glob("chunk-*.npy")}

    def lengths(self, names: set[str], *, fresh: bool = False) -> dict[str, int]:
        """name -> rows of each chunk of ``names``; a missing chunk is left out, an
        unreadable one (torn, too short for its header) is ``-1``. ``fresh`` reads the
        files again instead of the maps this object holds."""
        out = {}
        for name in names:
            if fresh:
                self._mmaps.pop(name, None)
            try:
                out[name] = len(self.chunk(name))
            except FileNotFoundError:
                continue
            except (OSError, ValueError, EOFError):
                out[name] = -1
        return out

    def keep_maps(self, names: set[str]) -> None:
        """Forget the maps of chunks not in ``names`` (replaced ones: their disk space is
        freed once no array maps them any more)."""
        for name in set(self._mmaps) - names:
            del self._mmaps[name]

    def gather(self, chunks: list[str], rows: np.ndarray) -> np.ndarray:
        """Rows ``rows[i]`` of chunk ``chunks[i]``, stacked; a view when it can be.

        No input validation: ``chunks`` and ``rows`` come from the catalog.
        """
        names = sorted(set(chunks))
        if len(names) == 1:
            mm = self.chunk(names[0])
            if len(rows) == len(mm) and np.array_equal(rows, np.arange(len(mm))):
                return mm  # the compacted case: zero copy
            return np.asarray(mm[rows])
        first = self.chunk(names[0])
        out = np.empty((len(rows), first.shape[1]), dtype=first.dtype)
        chunk_arr = np.asarray(chunks)
        for name in names:
            mask = chunk_arr == name
            out[mask] = self.chunk(name)[rows[mask]]
        return out

    def remove_projections_except(self, keep: str | None) -> None:
        """Delete the PCA files (``store.encoding``) other than ``keep``: a reduction that
        was replaced, or one a killed writer saved and never recorded."""
        if not self.dir.exists():
            return
        for path in self.dir.glob("projection-*.npz"):
            if path.name != keep:
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass

    def remove_except(self, keep: set[str]) -> None:
        """Delete chunk files (and temp files) the catalog does not reference."""
        if not self.dir.exists():
            return
        for path in self.dir.iterdir():
            name = path.name.removesuffix(".npy")
            if path.name.startswith(".") or (path.suffix == ".npy" and name not in keep):
                self._mmaps.pop(name, None)
                try:
                    path.unlink(missing_ok=True)
                except OSError:  # Windows: a file another process maps; the next writer
                    pass
