"""The collection directory: catalog + vector files, and the one write path for both."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lookalike.errors import CollectionNotFound, IndexNotBuilt
from lookalike.store.catalog import Catalog, upsert_images
from lookalike.store.vectors import VectorFiles

__all__ = ["Embeddings", "Store"]

CATALOG_FILE = "catalog.sqlite"


@dataclass(frozen=True)
class Embeddings:
    """The vectors of one model for every decoded image, in image order.

    Attributes
    ----------
    model : str
    ids : ndarray of shape (n_images,), dtype object
        Image ids; row ``i`` of ``vectors`` belongs to ``ids[i]``.
    vectors : ndarray of shape (n_images, dim), dtype float32
        Unit rows; may be a read-only memory map.
    """

    model: str
    ids: np.ndarray
    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def positions(self) -> dict[str, int]:
        """id -> row."""
        return {image_id: i for i, image_id in enumerate(self.ids)}


class Store:
    """A collection directory (see DESIGN.md: catalog.sqlite, vectors/, index/, thumbs/)."""

    def __init__(self, path: Path, catalog: Catalog) -> None:
        self.path = path
        self.catalog = catalog
        self._files: dict[str, VectorFiles] = {}
        self._cache: dict[str, Embeddings] = {}
        self._lock = threading.RLock()

    @classmethod
    def create(cls, path: str | Path) -> Store:
        """Create the directory (or open it if it is already a collection)."""
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("vectors", "index", "thumbs"):
            (root / sub).mkdir(exist_ok=True)
        return cls(root, Catalog(root / CATALOG_FILE))

    @classmethod
    def open(cls, path: str | Path) -> Store:
        root = Path(path)
        if not (root / CATALOG_FILE).is_file():
            raise CollectionNotFound(
                f"No collection at {str(root)!r} (no {CATALOG_FILE}); "
                "create one with `lookalike index SOURCE --collection PATH`."
            )
        return cls(root, Catalog(root / CATALOG_FILE))

    def close(self) -> None:
        self.catalog.close()

    def vector_files(self, model: str) -> VectorFiles:
        if model not in self._files:
            self._files[model] = VectorFiles(self.path / "vectors", model)
        return self._files[model]

    # -- the one write path --------------------------------------------------------
    def commit(
        self,
        model: str,
        dim: int,
        images: Sequence[dict[str, Any]],
        hashes: Sequence[str],
        vectors: np.ndarray,
        *,
        run_id: int | None = None,
        run_counts: dict[str, int] | None = None,
        spec: str | None = None,
    ) -> None:
        """Store ``vectors`` (row i = content ``hashes[i]``) and the image rows, atomically;
        a new model is recorded as made from ``spec`` (see :func:`lookalike.models.spec_of`).

        The chunk file is durable before the catalog names it, so a crash at any point
        leaves either the old state or the new one (plus an orphan file, removed later).
        """
        files = self.vector_files(model)
        chunk = files.write_chunk(vectors) if len(hashes) else None
        with self.catalog.transaction() as cur:
            if chunk is not None:
                self.catalog.ensure_model(model, dim, cur, spec)
                cur.executemany(
                    "INSERT OR REPLACE INTO embeddings (model, content_hash, chunk, row)"
                    " VALUES (?, ?, ?, ?)",
                    [(model, h, chunk, i) for i, h in enumerate(hashes)],
                )
            for row in images:  # one at a time: two copies in a batch need two ids
                row = dict(row)
                wanted = row.pop("id_wanted", None)
                if wanted:
                    existing = cur.execute(
                        "SELECT id FROM images WHERE uri = ?", (row["uri"],)
                    ).fetchone()
                    row["id"] = existing[0] if existing else self.catalog.free_id(wanted, cur)
                upsert_images(cur, [row])
            if run_id is not None and run_counts:
                self.catalog.update_run(run_id, cur, **run_counts)
        with self._lock:
            self._cache.clear()

    def rename_uri(self, old: str, new: str, mtime: float | None) -> None:
        """A file moved: keep its id and vector, point the catalog at the new place."""
        with self.catalog.transaction() as cur:
            cur.execute("UPDATE images SET uri = ?, mtime = ? WHERE uri = ?", (new, mtime, old))

    def remove_orphans(self, model: str) -> None:
        self.vector_files(model).remove_except(self.catalog.chunks(model))

    # -- reading -------------------------------------------------------------------
    def embeddings(self, model: str) -> Embeddings:
        """Every decoded image's vector for ``model`` (cached until the next write)."""
        with self._lock:
            if model in self._cache:
                return self._cache[model]
            rows = self.catalog.embedding_rows(model)
            if not rows:
                known = [name for name, _ in self.catalog.models()]
                raise IndexNotBuilt(
                    f"The collection has no vectors for model {model!r}"
                    + (f" (it has: {', '.join(known)})." if known else "; run `index` first.")
                )
            if len({chunk for _, chunk, _ in rows}) > 1:
                self.compact(model)
                rows = self.catalog.embedding_rows(model)
            ids = np.array([r[0] for r in rows], dtype=object)
            chunks = [r[1] for r in rows]
            vectors = self.vector_files(model).gather(chunks, np.array([r[2] for r in rows]))
            emb = Embeddings(model, ids, vectors)
            self._cache[model] = emb
            return emb

    def compact(self, model: str) -> None:
        """Rewrite all of ``model``'s chunks as one, in image order (then drop the rest).

        Crash-safe like :meth:`commit`: the new chunk is durable before the catalog
        switches to it in one transaction; old chunks are deleted only after that.
        """
        files = self.vector_files(model)
        by_hash = self.catalog.chunk_rows(model)
        order = self.catalog.hash_order()
        by_hash.sort(key=lambda r: order.get(r[0], len(order)))
        hashes = [h for h, _, _ in by_hash]
        vectors = files.gather([c for _, c, _ in by_hash], np.array([r for _, _, r in by_hash]))
        chunk = files.write_chunk(vectors)
        with self.catalog.transaction() as cur:
            cur.executemany(
                "UPDATE embeddings SET chunk = ?, row = ? WHERE model = ? AND content_hash = ?",
                [(chunk, i, model, h) for i, h in enumerate(hashes)],
            )
        files.remove_except({chunk})
