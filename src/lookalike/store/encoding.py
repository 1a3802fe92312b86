"""How a model's vectors are kept on disk: as the model gives them (float32), in float16,
and/or projected by PCA to fewer dimensions (learned on a sample of the collection's own
vectors, centred, then L2-normalised again).

The encoding of a model is one JSON value in its catalog row (``models.encoding``), so it
switches in the same transaction as the vectors it describes; a PCA's mean and components
are in ``vectors/<model>/projection-<id>.npz``, written atomically before the catalog
names it. A model's views (``<model>-grey-centre``) are kept as the model is. Whatever the
encoding, a reader gets float32 unit rows, block by block (:class:`UnitRows`), and an
outside image's vector goes through :meth:`Encoding.project` to be compared with them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lookalike._files import atomic_file

__all__ = ["Encoding", "Projection", "UnitRows", "fit_stage", "unit_rows"]

PROJECTION_PREFIX = "projection-"


def unit_rows(x: np.ndarray) -> np.ndarray:
    """``x`` as float32 with unit rows (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


@dataclass(frozen=True)
class Projection:
    """PCA stages applied in turn: ``x -> unit((x - mean) @ components.T)``. More than one
    stage when reduced vectors were reduced again (the re-normalisation in between makes
    the composition non-linear, so the stages are kept as they were learned)."""

    means: tuple[np.ndarray, ...]
    components: tuple[np.ndarray, ...]

    @property
    def dims(self) -> int:
        return int(self.components[-1].shape[0])

    @property
    def source_dim(self) -> int:
        return int(self.components[0].shape[1])

    def apply(self, x: np.ndarray) -> np.ndarray:
        """The projection of the rows of ``x`` (float32, unit rows)."""
        y = np.asarray(x, dtype=np.float32)
        for mean, comp in zip(self.means, self.components, strict=True):
            y = unit_rows((y - mean) @ comp.T)
        return y

    def then(self, mean: np.ndarray, components: np.ndarray) -> Projection:
        return Projection((*self.means, mean), (*self.components, components))

    def save(self, folder: Path) -> str:
        """Write to a new file in ``folder`` (atomically, durably); return its name."""
        name = f"{PROJECTION_PREFIX}{uuid.uuid4().hex[:16]}.npz"
        arrays = {f"mean{i}": m for i, m in enumerate(self.means)}
        arrays |= {f"components{i}": c for i, c in enumerate(self.components)}
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(folder / name, temp=folder / f".{name}.tmp") as fh:
            np.savez(fh, **arrays)
        return name

    @classmethod
    def load(cls, path: Path) -> Projection:
        with np.load(path, allow_pickle=False) as saved:
            n = sum(1 for key in saved.files if key.startswith("mean"))
            means = tuple(saved[f"mean{i}"].astype(np.float32) for i in range(n))
            comps = tuple(saved[f"components{i}"].astype(np.float32) for i in range(n))
        return cls(means, comps)


def fit_stage(sample: np.ndarray, dims: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(mean, components) of a PCA to ``dims`` learned on the rows of ``sample``."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=dims, svd_solver="auto", random_state=seed)
    pca.fit(np.asarray(sample, dtype=np.float32))
    return pca.mean_.astype(np.float32), pca.components_.astype(np.float32)


@dataclass(frozen=True)
class Encoding:
    """A model's vectors on disk: ``dtype`` and, when reduced by PCA, the projection file
    ``projection`` (in ``vectors/<model>/``) and its output ``dims``."""

    dtype: str = "float32"
    dims: int | None = None
    projection: str | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, text: str | None) -> Encoding:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(data.get("dtype", "float32"), data.get("dims"), data.get("projection"))

    def to_json(self) -> str | None:
        if self.is_full:
            return None
        return json.dumps({"dtype": self.dtype, "dims": self.dims, "projection": self.projection})

    @property
    def is_full(self) -> bool:
        """Vectors kept as the model gives them."""
        return self.dtype == "float32" and self.projection is None

    def stored_dim(self, dim: int) -> int:
        return self.dims if self.dims is not None else dim

    def bytes_per_vector(self, dim: int) -> int:
        return self.stored_dim(dim) * np.dtype(self.dtype).itemsize

    def describe(self, dim: int) -> str:
        """E.g. ``"PCA to 256 dims, float16"`` or ``"float32"``."""
        parts = [f"PCA to {self.dims} dims"] if self.projection else []
        return ", ".join([*parts, self.dtype])

    def load_projection(self, folder: Path) -> Projection | None:
        if self.projection is None:
            return None
        if "projection" not in self._cache:
            self._cache["projection"] = Projection.load(folder / self.projection)
        return self._cache["projection"]

    def project(self, folder: Path, vectors: np.ndarray) -> np.ndarray:
        """Model vectors -> the stored space as float32 unit rows (an outside image's
        vector, a query), without the float16 rounding."""
        projection = self.load_projection(folder)
        if projection is None:
            return unit_rows(vectors)
        return projection.apply(vectors)

    def encode(self, folder: Path, vectors: np.ndarray) -> np.ndarray:
        """Model vectors -> as stored on disk (projected, in :attr:`dtype`)."""
        return self.project(folder, vectors).astype(self.dtype)


class UnitRows:
    """A read-only view of stored vectors in a narrower type (float16) whose rows are
    float32 and unit length on access, block by block: a memory map stays one.

    >>> v = UnitRows(np.array([[0.6, 0.8], [3.0, 4.0]], dtype=np.float16))
    >>> v[1].tolist(), v.dtype, v.shape
    ([0.6000000238418579, 0.800000011920929], dtype('float32'), (2, 2))
    """

    def __init__(self, stored: np.ndarray) -> None:
        self.base = stored  # what _mmap.release_pages releases
        self.shape = stored.shape
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, key) -> np.ndarray:
        return unit_rows(self.base[key])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self[:]
        return out if dtype is None else out.astype(dtype)
