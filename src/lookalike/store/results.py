"""Computed results saved with the collection (clusters, map coordinates, k scans, kNN
graphs).

Each result is a set of arrays in ``<collection>/index/<model>/results/<name>.npz``,
aligned with the rows of that model's vectors, together with the fingerprint of the
vectors it was computed from. A result whose fingerprint no longer matches (images added
or removed, vectors re-imported) is stale: :meth:`SavedResults.arrays` ignores it and the
caller recomputes and saves over it.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lookalike._files import atomic_file
from lookalike._progress import status
from lookalike.store._store import Embeddings

__all__ = ["ResultFiles", "SavedResults", "fingerprint", "load_arrays", "save_arrays"]

_BLOCK_ROWS = 16_384


def fingerprint(ids: np.ndarray, vectors: np.ndarray) -> str:
    """A hash of the ids and the vector bytes, read blockwise (a memory map stays one).

    >>> x = np.eye(2, dtype=np.float32)
    >>> fingerprint(np.array(["a", "b"]), x) == fingerprint(np.array(["a", "b"]), x.copy())
    True
    >>> fingerprint(np.array(["a", "b"]), x) == fingerprint(np.array(["b", "a"]), x)
    False
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(vectors.shape).encode())
    h.update("\n".join(str(i) for i in ids).encode())
    for start in range(0, len(vectors), _BLOCK_ROWS):
        block = np.ascontiguousarray(vectors[start : start + _BLOCK_ROWS], dtype=np.float32)
        h.update(block.tobytes())
    return h.hexdigest()


def load_arrays(path: Path, fingerprint: str) -> dict[str, np.ndarray] | None:
    """The arrays saved at ``path``, or None if the file is absent, partial, unreadable
    or was computed from other vectors (its fingerprint differs)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["_fingerprint"]) != fingerprint:
                return None
            return {key: saved[key] for key in saved.files if key != "_fingerprint"}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):  # recompute
        return None


def save_arrays(path: Path, fingerprint: str, arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` and ``fingerprint`` to ``path`` (.npz), atomically: a temporary
    file, flushed, then renamed."""
    with atomic_file(path, prefix=f".{path.stem}-") as fh:
        np.savez(fh, _fingerprint=np.array(fingerprint), **arrays)
    return path


class ResultFiles:
    """The saved results of one collection, under ``<collection>/index/``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, model: str, name: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_.=-]+", name):
            raise ValueError(f"A result name uses letters, digits and ._=- only; got {name!r}.")
        return self.root / model / "results" / f"{name}.npz"


class SavedResults:
    """What a collection computes from its vectors, saved under ``<collection>/index/``
    and reused until the vectors change: the fingerprint of a model's vectors is
    computed once per :class:`Embeddings` object (a new one comes with every write to
    the store). With ``writable`` False nothing is written: what is computed is only
    returned (and held), so a read-only reader leaves the collection as it found it."""

    def __init__(self, root: str | Path, *, writable: bool = True) -> None:
        self.files = ResultFiles(Path(root) / "index")
        self.writable = writable
        self._fingerprints: dict[str, tuple[Embeddings, str]] = {}
        self._held: dict[Path, tuple[Embeddings, Any]] = {}

    def fingerprint(self, emb: Embeddings) -> str:
        if self._fingerprints.get(emb.model, (None,))[0] is not emb:
            self._fingerprints[emb.model] = (emb, fingerprint(emb.ids, emb.vectors))
        return self._fingerprints[emb.model][1]

    def arrays(
        self,
        emb: Embeddings,
        name: str,
        compute: Callable[[], dict[str, np.ndarray]],
        label: str | None = None,
    ) -> dict[str, np.ndarray]:
        """The arrays saved as result ``name`` of ``emb``'s vectors, or ``compute()``
        saved as it if they are absent or stale (with ``label`` as its status line)."""
        path = self.files.path(emb.model, name)
        saved = load_arrays(path, self.fingerprint(emb))
        if saved is None:
            with status(label or f"computing {name} of {len(emb.ids)} images"):
                saved = compute()
            if self.writable:
                save_arrays(path, self.fingerprint(emb), saved)
        return saved

    def held(
        self,
        emb: Embeddings,
        path: Path,
        build: Callable[[], Any],
        load: Callable,
        label: str | None = None,
    ) -> Any:
        """An object saved at ``path`` as its ``.to_arrays()``: ``load(arrays)`` if the
        file is fresh, else ``build()`` (then saved, ``label`` its status line); kept in
        memory while ``emb`` is the current vectors of its model."""
        held = self._held.get(path)
        if held is not None and held[0] is emb:
            return held[1]
        arrays = load_arrays(path, self.fingerprint(emb))
        if arrays is not None:
            found = load(arrays)
        else:
            with status(label or f"computing {path.stem} of {len(emb.ids)} images"):
                found = build()
            if self.writable:
                save_arrays(path, self.fingerprint(emb), found.to_arrays())
        self._held[path] = (emb, found)
        return found
