"""The collection directory: catalog + vector files, and the one write path for both.

Readers and writers (see docs/reliability.md):

- A reader writes nothing: it reads the catalog, then memory-maps the chunk files the
  catalog names. Chunk files are immutable; a new state is a new chunk plus one catalog
  transaction.
- Every writer holds the collection's writer lock (``writer.lock``, an OS file lock that
  dies with its process) while it writes chunks, switches the catalog to them, compacts
  or deletes files. So a chunk that is written but not yet committed belongs to the one
  live writer, and a file no catalog row names is left over by a dead one: only then is
  it removed.
- A superseded chunk is deleted right after the catalog stops naming it. A reader that
  already mapped it keeps its pages (POSIX: an unlinked file lives while it is open);
  a reader that read the old rows but had not opened the chunk yet finds it missing,
  sees that the catalog's generation moved on, and reads the catalog again.
- A chunk that is missing while the catalog still names it is damage (an older
  lookalike's reader deleted it, or a disk lost it): those images are left out and
  listed by ``damage()``, and the next ``index`` of their files embeds them again.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from lookalike._view_names import base_model, is_view
from lookalike.errors import CollectionNotFound, IndexNotBuilt, LookalikeError, StorageFull
from lookalike.store.catalog import Catalog, upsert_images
from lookalike.store.encoding import Encoding, UnitRows
from lookalike.store.vectors import VectorFiles

__all__ = ["Embeddings", "Store"]

CATALOG_FILE = "catalog.sqlite"
LOCK_FILE = "writer.lock"
# A reader that lost a race with a compaction reads the catalog again; each retry means a
# writer committed a newer state, and a writer compacts at most twice per run.
_READ_ATTEMPTS = 20


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Damage:
    """An image whose vector for ``model`` the catalog names but the disk no longer has."""

    model: str
    image_id: str
    content_hash: str
    reason: str


class _CatalogMovedOn(Exception):
    """A chunk went missing because a writer replaced it: read the catalog again."""


@dataclass(frozen=True)
class Embeddings:
    """The vectors of one model for every decoded image, in image order.

    Attributes
    ----------
    model : str
    ids : ndarray of shape (n_images,), dtype object
        Image ids; row ``i`` of ``vectors`` belongs to ``ids[i]``.
    vectors : ndarray of shape (n_images, dim), dtype float32
        Unit rows; may be a read-only memory map, or a view that reads float16 rows
        as float32 block by block (``store.encoding.UnitRows``). ``dim`` is the stored
        dimension: fewer than the model's when the vectors were reduced by PCA.
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
        # model -> (catalog generation, rows, embeddings, damage) of the last read
        self._cache: dict[str, tuple[int, list, Embeddings | None, list[Damage]]] = {}
        self._lock = threading.RLock()
        self._write_lock = threading.RLock()  # the threads of this process, one at a time
        # thread_local=False: the threads are serialised by _write_lock, and a nested
        # writing() (index -> commit) re-enters the same OS lock.
        self._file_lock = FileLock(path / LOCK_FILE, thread_local=False)
        self._encodings: dict[str, Encoding] = {}  # JSON -> parsed (its PCA loaded once)
        #: Called with one line when a writer must wait for another process.
        self.on_wait: Callable[[str], None] = _say

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

    # -- how vectors are kept ---------------------------------------------------------
    @staticmethod
    def encoded_model(model: str) -> str:
        """The model whose encoding ``model``'s vectors follow: a view
        (``<m>-grey-centre``) is kept as its model ``m``, so that the two stay comparable
        row by row."""
        return base_model(model)

    def encoding(self, model: str) -> Encoding:
        """How ``model``'s vectors are kept on disk (see :mod:`lookalike.store.encoding`)."""
        text = self.catalog.model_encoding(self.encoded_model(model))
        if text is None:
            return Encoding()
        if text not in self._encodings:
            self._encodings[text] = Encoding.from_json(text)
        return self._encodings[text]

    def project(self, model: str, vectors: np.ndarray) -> np.ndarray:
        """Vectors the model gave for outside images (queries, synthetic copies), as the
        stored vectors of ``model`` are compared: float32 unit rows, reduced as they are."""
        folder = self.vector_files(self.encoded_model(model)).dir
        return self.encoding(model).project(folder, vectors)

    # -- writing -------------------------------------------------------------------
    @contextmanager
    def _full_disk_said(self) -> Iterator[None]:
        """A full disk (the chunk's write, or SQLite's) as one line: what was not written."""
        try:
            yield
        except (OSError, sqlite3.OperationalError) as err:
            full = getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or (
                isinstance(err, sqlite3.OperationalError) and "full" in str(err)
            )
            if not full:
                raise
            raise StorageFull(
                f"The disk holding {self.path} is full: the last batch was not written; "
                "everything written before it is intact. Free some space and run again."
            ) from err

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the collection's writer lock (re-entrant): one writer at a time, across
        processes; readers never take it. A writer that has to wait says so once
        through :attr:`on_wait`, then waits as long as the other one writes."""
        with self._write_lock:
            try:
                self._file_lock.acquire(timeout=0)
            except Timeout:
                self.on_wait(
                    f"Another process is writing to {self.path} (an `index` run?): "
                    "waiting for it to finish..."
                )
                self._file_lock.acquire()
            try:
                yield
            finally:
                self._file_lock.release()

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
        leaves either the old state or the new one (plus an orphan file, removed by the
        next writer). ``vectors`` are as the model gives them; they are kept in the
        model's encoding (read under the writer lock, so a reduction cannot slip in).
        """
        with self.writing(), self._full_disk_said():
            files = self.vector_files(model)
            encoding = self.encoding(model)
            if len(hashes) and not encoding.is_full:
                folder = self.vector_files(self.encoded_model(model)).dir
                vectors = encoding.encode(folder, vectors)
            chunk = files.write_chunk(vectors) if len(hashes) else None
            try:
                self._commit_rows(model, dim, images, hashes, chunk, run_id, run_counts, spec)
            except BaseException:
                if chunk is not None:  # if no catalog row names it: this is the one writer
                    files.remove_except(self.catalog.chunks(model))
                raise

    def _commit_rows(
        self,
        model: str,
        dim: int,
        images: Sequence[dict[str, Any]],
        hashes: Sequence[str],
        chunk: str | None,
        run_id: int | None,
        run_counts: dict[str, int] | None,
        spec: str | None,
    ) -> None:
        """The catalog half of :meth:`commit`: one transaction."""
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

    def rename_uri(self, old: str, new: str, mtime: float | None) -> None:
        """A file moved: keep its id and vector, point the catalog at the new place."""
        with self.catalog.transaction() as cur:
            cur.execute("UPDATE images SET uri = ?, mtime = ? WHERE uri = ?", (new, mtime, old))

    def tidy(self, model: str) -> None:
        """Remove what dead writers left (files no catalog row names) and compact
        ``model``'s chunks into one. Only under the writer lock: a chunk another live
        writer has written but not committed yet would look like an orphan."""
        with self.writing():
            files = self.vector_files(model)
            files.remove_except(self.catalog.chunks(model))
            if not is_view(model):  # a PCA file a killed `reduce` saved and never recorded
                files.remove_projections_except(self.encoding(model).projection)
            if len(files.names()) > 1:
                try:
                    self.compact(model)
                except StorageFull:
                    pass  # no room for the compacted copy: readers read several chunks

    def compact(self, model: str) -> None:
        """Rewrite ``model``'s readable chunks as one, in image order, then delete the
        chunks the catalog no longer names. Under the writer lock.

        Crash-safe like :meth:`commit`: the new chunk is durable before the catalog
        switches to it in one transaction; old chunks are deleted only after that.
        Damaged rows (their chunk is gone) are left as they are, for ``damage()``.
        """
        with self.writing(), self._full_disk_said():
            files = self.vector_files(model)
            rows = self.catalog.chunk_rows(model)
            lengths = files.lengths({c for _, c, _ in rows}, fresh=True)
            by_hash = [r for r in rows if lengths.get(r[1], -1) > r[2]]
            if not by_hash:
                return
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
            files.remove_except(self.catalog.chunks(model))

    def forget_vectors(self, model: str, hashes: Sequence[str]) -> None:
        """Drop the catalog rows of ``model``'s vectors of ``hashes`` (damaged vectors
        that cannot be computed again here)."""
        with self.writing(), self.catalog.transaction() as cur:
            cur.executemany(
                "DELETE FROM embeddings WHERE model = ? AND content_hash = ?",
                [(model, h) for h in hashes],
            )

    # -- reading -------------------------------------------------------------------
    def embeddings(self, model: str) -> Embeddings:
        """Every decoded image's vector for ``model``, cached until the catalog's
        generation changes (a commit here or in any other process). Writes nothing.

        Images whose vector is lost (see :meth:`damage`) are left out.
        """
        _, _, emb, lost = self._read(model)
        if emb is None and lost:
            raise IndexNotBuilt(
                f"All {len(lost)} vectors of model {model!r} were lost ({lost[0].reason}): "
                f"run `lookalike check {self.path} --repair` or `lookalike index` again."
            )
        if emb is None:
            known = [name for name, _ in self.catalog.models()]
            raise IndexNotBuilt(
                f"The collection has no vectors for model {model!r}"
                + (f" (it has: {', '.join(known)})." if known else "; run `index` first.")
            )
        return emb

    def damage(self, model: str | None = None) -> list[Damage]:
        """The images whose vector the catalog names but whose chunk file is missing,
        torn or too short, as the disk is now: of ``model``, or of every model."""
        names = [model] if model else [name for name, _ in self.catalog.models()]
        out = []
        for name in names:
            rows = self.catalog.embedding_rows(name)
            chunks = {chunk for _, chunk, _ in rows}
            lengths = VectorFiles(self.path / "vectors", name).lengths(chunks, fresh=True)
            out += self._damage(name, rows, lengths)
        return out

    def _damage(self, model: str, rows: list, lengths: dict[str, int]) -> list[Damage]:
        bad = [r for r in rows if lengths.get(r[1], -1) <= r[2]]
        if not bad:
            return []
        hashes = {r.id: r.content_hash or "" for r in self.catalog.images(status="ok")}
        return [Damage(model, r[0], hashes.get(r[0], ""), _why(lengths.get(r[1]))) for r in bad]

    def embedded_hashes(self, model: str) -> set[str]:
        """The content hashes that have a readable vector of ``model``."""
        lost = {d.content_hash for d in self.damage(model)}
        return self.catalog.embedded_hashes(model) - lost

    def _read(self, model: str) -> tuple[int, list, Embeddings | None, list[Damage]]:
        with self._lock:
            for _ in range(_READ_ATTEMPTS):
                generation = self.catalog.generation()  # before the rows: errs stale-safe
                cached = self._cache.get(model)
                if cached is not None and cached[0] == generation:
                    return cached
                rows = self.catalog.embedding_rows(model)
                if cached is not None and cached[1] == rows:
                    state = (generation, rows, cached[2], cached[3])
                else:
                    try:
                        state = (generation, rows, *self._load(model, rows, generation))
                    except _CatalogMovedOn:
                        continue
                self._cache[model] = state
                return state
            raise LookalikeError(f"The vectors of {model!r} kept changing while being read.")

    def _load(
        self, model: str, rows: list[tuple[str, str, int]], generation: int
    ) -> tuple[Embeddings | None, list[Damage]]:
        if not rows:
            return None, []
        files = self.vector_files(model)
        lengths = files.lengths({chunk for _, chunk, _ in rows})
        damage = self._damage(model, rows, lengths)
        if damage:
            if self.catalog.generation() != generation:
                raise _CatalogMovedOn  # a writer replaced the chunks after the rows were read
            rows = [r for r in rows if lengths.get(r[1], -1) > r[2]]
        files.keep_maps({chunk for _, chunk, _ in rows})
        if not rows:
            return None, damage
        ids = np.array([r[0] for r in rows], dtype=object)
        vectors = files.gather([r[1] for r in rows], np.array([r[2] for r in rows]))
        if vectors.dtype != np.float32:  # kept in float16: read as float32, block by block
            vectors = UnitRows(vectors)
        return Embeddings(model, ids, vectors), damage


def _why(length: int | None) -> str:
    if length is None:
        return "its vector file is missing"
    if length < 0:
        return "its vector file is unreadable"
    return "its vector file is too short"
