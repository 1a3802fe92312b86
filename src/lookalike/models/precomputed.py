"""Vectors computed elsewhere: read and check them, and a model that cannot embed.

Three formats are read:

- NumPy ``.npy`` (an ``(n, dim)`` array) with a text file of ``n`` ids, one a line;
- Parquet with an id column and a vector column (a list of floats per row);
- a pickled ``{image_path: vector}`` dict (``.pickle``/``.pkl``), the format the notebooks
  of the projects lookalike replaces save. Only plain containers, strings, paths and
  NumPy arrays are unpickled (a pickle can run code; anything else is refused).

:func:`read_vectors` checks everything a collection needs before anything is written:
a 2-D float matrix, one key per row, no duplicate keys, no NaN, infinite or zero rows.
"""

from __future__ import annotations

import io
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lookalike.errors import ModelUnavailable
from lookalike.models._base import Backbone

__all__ = ["FORMATS", "ImportedVectors", "Precomputed", "read_vectors"]

FORMATS = {".npy": "npy", ".parquet": "parquet", ".pickle": "pickle", ".pkl": "pickle"}


@dataclass(frozen=True)
class ImportedVectors:
    """Vectors read from a file, one per key, checked.

    Attributes
    ----------
    keys : list of str
        Image ids or paths, as the file gives them.
    vectors : ndarray of shape (n, dim), dtype float32
        Finite, non-zero rows (not yet normalised).
    path : Path
        The file read.
    """

    keys: list[str]
    vectors: np.ndarray
    path: Path

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


class Precomputed(Backbone):
    """The model of imported vectors: it has a name and a dimension but cannot embed.

    >>> Precomputed("notebook-vectors", 512).embed(np.zeros((1, 8, 8, 3), np.uint8))
    Traceback (most recent call last):
    ...
    lookalike.errors.ModelUnavailable: Model 'notebook-vectors' holds vectors imported ...
    """

    input_size = 0

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def embed(self, images: np.ndarray) -> np.ndarray:
        raise self.cannot_embed()

    def cannot_embed(self) -> ModelUnavailable:
        """The error for any attempt to embed an image with this model."""
        if self.name.startswith(("hf-", "onnx-")):
            kind = "hf:<model id or folder>" if self.name.startswith("hf-") else "onnx:<file>"
            return ModelUnavailable(
                f"Model {self.name!r} has vectors in this collection, which does not record "
                f"where its weights are (an older lookalike indexed it): name it as {kind} "
                "to embed new images; indexing with it records that."
            )
        return ModelUnavailable(
            f"Model {self.name!r} holds vectors imported into this collection; it cannot "
            "embed new images. Search from an image of the collection, or import its vector."
        )


def read_vectors(
    path: str | os.PathLike,
    *,
    ids: str | os.PathLike | None = None,
    id_column: str = "id",
    vector_column: str = "vector",
) -> ImportedVectors:
    """Read and check the vectors in ``path`` (see the module docstring for the formats).

    Parameters
    ----------
    path : path-like
        ``.npy``, ``.parquet``, ``.pickle`` or ``.pkl``.
    ids : path-like, optional
        For ``.npy``: a text file with one id (or image path) a line, row by row.
    id_column, vector_column : str, default="id" and "vector"
        For Parquet.

    Raises
    ------
    ValueError
        Unknown format, missing or extra ids, wrong shapes, duplicate keys, NaN,
        infinite or zero vectors. The message names the file and the first bad key.
    FileNotFoundError
        If ``path`` or ``ids`` does not exist.
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(
            f"Cannot import vectors from {path.name!r}: use one of "
            f"{', '.join(sorted(FORMATS))} (got {path.suffix or 'no extension'!r})."
        )
    if not path.is_file():
        raise FileNotFoundError(f"No vector file {str(path)!r}.")
    if kind == "npy":
        keys, vectors = _read_npy(path, ids)
    elif ids is not None:
        raise ValueError(f"'ids' is only for .npy files; {path.name!r} holds its own ids.")
    elif kind == "parquet":
        keys, vectors = _read_parquet(path, id_column, vector_column)
    else:
        keys, vectors = _read_pickle(path)
    return ImportedVectors(keys, _check_matrix(vectors, keys, path), path)


def _read_npy(path: Path, ids: str | os.PathLike | None) -> tuple[list[str], np.ndarray]:
    if ids is None:
        raise ValueError(f"{path.name!r} holds no ids: give them with --ids FILE (one a line).")
    ids = Path(ids)
    if not ids.is_file():
        raise FileNotFoundError(f"No ids file {str(ids)!r}.")
    keys = [line.strip() for line in ids.read_text(encoding="utf-8").splitlines()]
    keys = [k for k in keys if k]
    try:
        vectors = np.load(path, allow_pickle=False)
    except ValueError as err:
        raise ValueError(f"{path.name!r} is not a plain NumPy array: {err}") from err
    if vectors.ndim == 2 and len(keys) != len(vectors):
        raise ValueError(
            f"{ids.name!r} has {len(keys)} ids but {path.name!r} has {len(vectors)} vectors."
        )
    return keys, vectors


def _read_parquet(path: Path, id_column: str, vector_column: str):
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise ModelUnavailable("Parquet files need pyarrow: pip install pyarrow") from err
    table = pq.read_table(path)
    missing = [c for c in (id_column, vector_column) if c not in table.column_names]
    if missing:
        raise ValueError(
            f"{path.name!r} has no column {missing[0]!r} (columns: "
            f"{', '.join(table.column_names)}); name the id and vector columns."
        )
    keys = [str(k) for k in table.column(id_column).to_pylist()]
    rows = table.column(vector_column).to_pylist()
    return keys, _stack(rows, keys, path)


class _SafeUnpickler(pickle.Unpickler):
    """Plain containers, str/bytes/numbers, paths and NumPy arrays; nothing else."""

    _ALLOWED = frozenset(
        {
            ("collections", "OrderedDict"),
            ("pathlib", "PosixPath"),
            ("pathlib", "WindowsPath"),
            ("pathlib", "Path"),
            ("pathlib._local", "PosixPath"),
            ("pathlib._local", "WindowsPath"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "scalar"),
            ("numpy.core.numeric", "_frombuffer"),
            ("numpy._core.numeric", "_frombuffer"),
        }
    )

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED or (module == "numpy" and name.endswith("Dtype")):
            return super().find_class(module, name)
        if module.startswith("numpy.dtypes"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def _read_pickle(path: Path) -> tuple[list[str], np.ndarray]:
    try:
        with open(path, "rb") as fh:
            obj = _SafeUnpickler(io.BufferedReader(fh)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        raise ValueError(
            f"{path.name!r} is not a pickled {{image_path: vector}} dict: {err}"
        ) from err
    if not isinstance(obj, dict):
        raise ValueError(
            f"{path.name!r} is not a pickled {{image_path: vector}} dict "
            f"(it holds a {type(obj).__name__})."
        )
    keys = [os.fspath(k) if isinstance(k, os.PathLike) else str(k) for k in obj]
    return keys, _stack(list(obj.values()), keys, path)


def _stack(rows: list, keys: list[str], path: Path) -> np.ndarray:
    """Rows of equal length -> an (n, dim) array (no further checks)."""
    first = np.size(rows[0]) if rows else 0
    for key, row in zip(keys, rows, strict=True):
        if row is None or np.size(row) != first:
            n = 0 if row is None else np.size(row)
            raise ValueError(
                f"{path.name!r}: vectors have different lengths: {first} ({keys[0]!r}) "
                f"and {n} ({key!r})."
            )
    try:
        return np.asarray([np.ravel(np.asarray(r, dtype=np.float64)) for r in rows])
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path.name!r}: vectors must be numbers: {err}") from err


def _check_matrix(vectors: np.ndarray, keys: list[str], path: Path) -> np.ndarray:
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] == 0 or vectors.shape[1] == 0:
        raise ValueError(
            f"{path.name!r} must hold a non-empty (n, dim) matrix of vectors. "
            f"Got shape {vectors.shape} instead."
        )
    if not np.issubdtype(vectors.dtype, np.number) or np.iscomplexobj(vectors):
        raise ValueError(f"{path.name!r}: vectors must be real numbers, got {vectors.dtype}.")
    vectors = vectors.astype(np.float64)
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        first = keys[int(np.argmax(bad))]
        raise ValueError(
            f"{path.name!r}: {int(bad.sum())} vectors contain NaN or infinite values "
            f"(first: {first!r}); nothing was imported."
        )
    zero = np.linalg.norm(vectors, axis=1) == 0
    if zero.any():
        raise ValueError(
            f"{path.name!r}: {int(zero.sum())} vectors are all zeros "
            f"(first: {keys[int(np.argmax(zero))]!r}); nothing was imported."
        )
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{path.name!r}: the id {key!r} appears twice.")
        seen.add(key)
    return vectors.astype(np.float32)
