"""Vectors on disk: per model, immutable ``.npy`` chunks, memory-mapped when read.

A chunk is written to a temporary name, flushed and renamed, and only then recorded in
the catalog; a chunk the catalog does not mention (the process died in between) is an
orphan and is removed by the next writer. At the end of its run a writer compacts the
chunks into one, in image order, so that reading the vectors of a whole collection is a
single memory map. Readers never write or delete (see ``store._store``).
"""

from __future__ import annotations

import uuid
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
        """Write ``vectors`` durably as a new chunk and return its name."""
        name = f"chunk-{uuid.uuid4().hex[:16]}"
        # Durable (fsynced) before it is renamed, and so before the catalog names it; the
        # temp name starts with "." so that remove_except() clears one a crash left. A
        # failed write (a full disk) removes its temp file at once.
        with atomic_file(self.dir / f"{name}.npy", temp=self.dir / f".{name}.tmp") as fh:
            np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32))
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
        dim = self.chunk(names[0]).shape[1]
        out = np.empty((len(rows), dim), dtype=np.float32)
        chunk_arr = np.asarray(chunks)
        for name in names:
            mask = chunk_arr == name
            out[mask] = self.chunk(name)[rows[mask]]
        return out

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
