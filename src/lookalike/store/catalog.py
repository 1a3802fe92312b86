"""The collection catalog: one SQLite database (WAL mode) that says which images exist,
where they came from, whether they decoded, and where each model's vector of each
image's content lives.

Longer than 400 lines on purpose: the schema, its migrations and every query over it
are one job, kept together so that a change to a table and the queries that read it
are made in one place.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "Catalog", "ImageRow", "copy_kind"]

# Version 2 added models.spec, version 3 models.encoding (see _MIGRATIONS). A catalog
# records its version in meta.schema_version; opening an older one brings it up to date
# in one transaction.
SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order, stable
    id           TEXT NOT NULL UNIQUE,
    uri          TEXT NOT NULL UNIQUE,
    content_hash TEXT,
    pixel_hash   TEXT,
    bytes        INTEGER,
    width        INTEGER,
    height       INTEGER,
    mtime        REAL,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error        TEXT,
    metadata     TEXT NOT NULL DEFAULT '{}',
    added_at     REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS images_content_hash ON images (content_hash);
-- spec: what builds the model again in another process (models.spec_of: the name of a
-- built-in model, "onnx:/abs/x.onnx", "hf:facebook/dinov2-small"), NULL for imported
-- vectors. A column, not a meta entry: it belongs to the model's row, and is written in
-- the same transaction as the model's first vectors. (No semicolons in comments here.)
CREATE TABLE IF NOT EXISTS models (
    name       TEXT PRIMARY KEY,
    dim        INTEGER NOT NULL,
    created_at REAL NOT NULL,
    spec       TEXT,
    encoding   TEXT
);
-- encoding: how the vectors are kept (store.encoding.Encoding as JSON: float16, PCA to
-- fewer dims), NULL for float32 as the model gives them. In the model's row, so that
-- one transaction switches the vectors and the encoding that describes them.
-- A vector is keyed by content hash + model: a renamed or copied file reuses it.
CREATE TABLE IF NOT EXISTS embeddings (
    model        TEXT NOT NULL REFERENCES models (name),
    content_hash TEXT NOT NULL,
    chunk        TEXT NOT NULL,
    row          INTEGER NOT NULL,
    PRIMARY KEY (model, content_hash)
);
CREATE INDEX IF NOT EXISTS embeddings_chunk ON embeddings (model, chunk);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    model       TEXT NOT NULL,
    started_at  REAL NOT NULL,
    finished_at REAL,
    status      TEXT NOT NULL,  -- running | done | interrupted | failed
    n_seen      INTEGER NOT NULL DEFAULT 0,
    n_new       INTEGER NOT NULL DEFAULT 0,
    n_embedded  INTEGER NOT NULL DEFAULT 0,
    n_failed    INTEGER NOT NULL DEFAULT 0
);
-- What the last walk of a folder (root) left out, and why: files that are not an image
-- type lookalike reads, folders that cannot be listed. Replaced at each index of root.
CREATE TABLE IF NOT EXISTS skipped (
    root   TEXT NOT NULL,
    uri    TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (root, uri)
);
"""

# Every change to the images or the vectors bumps meta.generation, whichever process or
# code path makes it: a long-lived reader (the server) learns with one small read that
# what it cached is stale. Kept apart from _SCHEMA, which is split on semicolons.
_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {table}_{op.lower()}_generation AFTER {op} ON {table}"
    " BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END"
    for table in ("images", "embeddings")
    for op in ("INSERT", "UPDATE", "DELETE")
]
_SCHEMA_NAMES = set(
    re.findall(r"CREATE (?:TABLE|INDEX|TRIGGER) IF NOT EXISTS (\w+)", _SCHEMA + " ".join(_TRIGGERS))
)


@dataclass(frozen=True)
class ImageRow:
    """One image of the catalog, as stored."""

    id: str
    uri: str
    content_hash: str | None
    pixel_hash: str | None
    bytes: int | None
    width: int | None
    height: int | None
    mtime: float | None
    status: str
    error: str | None
    metadata: dict[str, Any]

    @classmethod
    def _from_sql(cls, row: sqlite3.Row) -> ImageRow:
        return cls(
            id=row["id"],
            uri=row["uri"],
            content_hash=row["content_hash"],
            pixel_hash=row["pixel_hash"],
            bytes=row["bytes"],
            width=row["width"],
            height=row["height"],
            mtime=row["mtime"],
            status=row["status"],
            error=row["error"],
            metadata=json.loads(row["metadata"]),
        )


def copy_kind(a: ImageRow | None, b: ImageRow | None) -> str:
    """ "file" when the catalog rows ``a`` and ``b`` hold identical files, "pixels" when
    they decode to identical pixels, else ""."""
    if a is None or b is None:
        return ""
    if a.content_hash and a.content_hash == b.content_hash:
        return "file"
    if a.pixel_hash and a.pixel_hash == b.pixel_hash:
        return "pixels"
    return ""


def _add_model_specs(cur: sqlite3.Cursor) -> None:
    columns = {row[1] for row in cur.execute("PRAGMA table_info(models)")}
    if "spec" not in columns:
        cur.execute("ALTER TABLE models ADD COLUMN spec TEXT")


def _add_model_encodings(cur: sqlite3.Cursor) -> None:
    columns = {row[1] for row in cur.execute("PRAGMA table_info(models)")}
    if "encoding" not in columns:
        cur.execute("ALTER TABLE models ADD COLUMN encoding TEXT")


# version -> the step that brings a catalog of the version before up to it.
_MIGRATIONS = {2: _add_model_specs, 3: _add_model_encodings}


_IMAGE_COLUMNS = (
    "id, uri, content_hash, pixel_hash, bytes, width, height, mtime, status, error, metadata"
)


class Catalog:
    """The SQLite catalog of a collection.

    One connection shared by the threads of a process (the server's included) behind a
    lock; every write is a transaction, so a killed process leaves the last committed
    state. Readers in other processes see committed data thanks to WAL.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._data_version: int | None = None
        self._generation: int | None = None
        if self._schema_is_current():
            return  # opening writes nothing: a reader never takes SQLite's write lock
        with self.transaction() as cur:
            for statement in [*_SCHEMA.split(";"), *_TRIGGERS]:
                if statement.strip():
                    cur.execute(statement)
            cur.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            cur.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', '0')")
            self._migrate(cur)

    def _schema_is_current(self) -> bool:
        """True when every table, index and trigger exists and the version is current."""
        try:
            names = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
            meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError:  # a new file: no meta table yet
            return False
        return (
            _SCHEMA_NAMES <= names
            and "generation" in meta
            and meta.get("schema_version") == str(SCHEMA_VERSION)
        )

    def generation(self) -> int:
        """A number that changes whenever an image row or a vector row changes, in this
        process or any other. Cheap: SQLite's ``data_version`` says whether anything was
        committed by another connection since the last call; only then is it read."""
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version or self._generation is None:
                row = self._conn.execute(
                    "SELECT value FROM meta WHERE key = 'generation'"
                ).fetchone()
                self._generation, self._data_version = int(row[0]), version
            return self._generation

    @staticmethod
    def _migrate(cur: sqlite3.Cursor) -> None:
        """Bring a catalog written by an older lookalike up to :data:`SCHEMA_VERSION`
        (inside the opening transaction: all steps or none)."""
        row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0])
        for step in range(version + 1, SCHEMA_VERSION + 1):
            _MIGRATIONS[step](cur)
        if version < SCHEMA_VERSION:
            cur.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """A write transaction: all or nothing."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
            self._generation = None  # data_version does not count this connection's commits

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- images -------------------------------------------------------------------
    def image(self, image_id: str) -> ImageRow | None:
        rows = self._query(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE id = ?", (image_id,))
        return ImageRow._from_sql(rows[0]) if rows else None

    def image_by_uri(self, uri: str) -> ImageRow | None:
        rows = self._query(f"SELECT {_IMAGE_COLUMNS} FROM images WHERE uri = ?", (uri,))
        return ImageRow._from_sql(rows[0]) if rows else None

    def images(self, *, status: str | None = None) -> list[ImageRow]:
        """All images in insertion order, optionally only those with ``status``."""
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self._query(f"SELECT {_IMAGE_COLUMNS} FROM images {where} ORDER BY seq", params)
        return [ImageRow._from_sql(r) for r in rows]

    def uris_of(self, ids: Sequence[str]) -> list[str]:
        """The uri of each image id, in order."""
        by_id = dict(self._query("SELECT id, uri FROM images"))
        return [by_id[i] for i in ids]

    def uri_index(self) -> dict[str, tuple[str, float | None, int | None, str, str | None]]:
        """uri -> (id, mtime, bytes, status, content_hash), to skip unchanged files fast."""
        rows = self._query("SELECT uri, id, mtime, bytes, status, content_hash FROM images")
        return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        rows = self._query(
            "SELECT id FROM images WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "\uffff", limit),
        )
        return [r[0] for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._query("SELECT status, COUNT(*) FROM images GROUP BY status")
        counts = {"ok": 0, "error": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def free_id(self, wanted: str, cur: sqlite3.Cursor) -> str:
        """``wanted``, or ``wanted-2``, ``wanted-3``... if taken (exact duplicate files)."""
        candidate, n = wanted, 1
        while cur.execute("SELECT 1 FROM images WHERE id = ?", (candidate,)).fetchone():
            n += 1
            candidate = f"{wanted}-{n}"
        return candidate

    # -- models and embeddings ----------------------------------------------------
    def models(self) -> list[tuple[str, int]]:
        """(name, dim) of every model with vectors, oldest first."""
        rows = self._query("SELECT name, dim FROM models ORDER BY created_at, name")
        return [(r[0], r[1]) for r in rows]

    def model_spec(self, name: str) -> str | None:
        """The spec model ``name`` was made from (None: imported vectors, an older
        catalog, or no such model)."""
        rows = self._query("SELECT spec FROM models WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def model_encoding(self, name: str) -> str | None:
        """How model ``name``'s vectors are kept (JSON, see ``store.encoding``); None:
        float32 as the model gives them."""
        rows = self._query("SELECT encoding FROM models WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def set_model_spec(self, name: str, spec: str) -> None:
        """Record that ``spec`` builds model ``name`` (now); no-op for an unknown model."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE models SET spec = ? WHERE name = ? AND spec IS NOT ?", (spec, name, spec)
            )

    def ensure_model(
        self, name: str, dim: int, cur: sqlite3.Cursor, spec: str | None = None
    ) -> None:
        """Add model ``name`` (made from ``spec``) if it is new; check its dimension."""
        row = cur.execute("SELECT dim FROM models WHERE name = ?", (name,)).fetchone()
        if row is None:
            cur.execute(
                "INSERT INTO models (name, dim, created_at, spec) VALUES (?, ?, ?, ?)",
                (name, dim, time.time(), spec),
            )
        elif row[0] != dim:
            raise ValueError(f"model {name!r} has dim={row[0]} in this collection, got {dim}")

    def embedded_hashes(self, model: str) -> set[str]:
        rows = self._query("SELECT content_hash FROM embeddings WHERE model = ?", (model,))
        return {r[0] for r in rows}

    def embedding_rows(self, model: str) -> list[tuple[str, str, int]]:
        """(image id, chunk, row) of every decoded image with a vector, in image order."""
        rows = self._query(
            "SELECT i.id, e.chunk, e.row FROM images i JOIN embeddings e"
            " ON e.content_hash = i.content_hash AND e.model = ?"
            " WHERE i.status = 'ok' ORDER BY i.seq",
            (model,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def chunk_rows(self, model: str) -> list[tuple[str, str, int]]:
        """(content hash, chunk, row) of every stored vector of ``model``."""
        rows = self._query(
            "SELECT content_hash, chunk, row FROM embeddings WHERE model = ?", (model,)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def hash_order(self) -> dict[str, int]:
        """content hash -> position of its first image, for writing vectors in image order."""
        rows = self._query(
            "SELECT content_hash FROM images WHERE content_hash IS NOT NULL"
            " GROUP BY content_hash ORDER BY MIN(seq)"
        )
        return {r[0]: i for i, r in enumerate(rows)}

    def chunks(self, model: str) -> set[str]:
        rows = self._query("SELECT DISTINCT chunk FROM embeddings WHERE model = ?", (model,))
        return {r[0] for r in rows}

    # -- runs ----------------------------------------------------------------------
    def start_run(self, source: str, model: str) -> int:
        with self.transaction() as cur:
            # A run still marked running was cut off (killed); say so.
            cur.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cur.execute(
                "INSERT INTO runs (source, model, started_at, status) VALUES (?, ?, ?, 'running')",
                (source, model, time.time()),
            )
            return int(cur.lastrowid)

    @contextmanager
    def run(self, source: str, model: str) -> Iterator[int]:
        """A run's id for the body, recorded as it ends: done, interrupted (Ctrl-C, a
        signal's SystemExit) or failed (any other error), never left "running"."""
        run_id = self.start_run(source, model)
        status = "failed"
        try:
            yield run_id
            status = "done"
        except (KeyboardInterrupt, SystemExit):
            status = "interrupted"
            raise
        finally:
            self.finish_run(run_id, status)

    def update_run(self, run_id: int, cur: sqlite3.Cursor, **counts: int) -> None:
        sets = ", ".join(f"{name} = {name} + ?" for name in counts)
        cur.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*counts.values(), run_id))

    def finish_run(self, run_id: int, status: str = "done") -> None:
        """Mark the run ``status``: done, or failed / interrupted when an error or the
        user stopped it (so no run stays "running" once its process has given up)."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?",
                (status, time.time(), run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._query("SELECT * FROM runs ORDER BY id")]

    # -- what folder walks left out ----------------------------------------------------
    def set_skipped(self, root: str, entries: Iterable[tuple[str, str]]) -> None:
        """Record ``(uri, reason)`` of everything the walk of folder ``root`` left out,
        in place of what its last walk left out."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM skipped WHERE root = ?", (root,))
            cur.executemany(
                "INSERT OR REPLACE INTO skipped (root, uri, reason) VALUES (?, ?, ?)",
                [(root, uri, reason) for uri, reason in entries],
            )

    def skipped(self) -> list[tuple[str, str]]:
        """``(uri, reason)`` of each file or folder left out by a folder's walk, by uri."""
        try:
            rows = self._query("SELECT uri, MIN(reason) FROM skipped GROUP BY uri ORDER BY uri")
        except sqlite3.OperationalError as err:
            if "no such table" not in str(err):
                raise
            return []  # a catalog opened without creating the table (read-only)
        return [(r[0], r[1]) for r in rows]


def upsert_images(cur: sqlite3.Cursor, rows: Iterable[dict[str, Any]]) -> None:
    """Insert or update image rows (keyed by uri) inside an open transaction."""
    for row in rows:
        cur.execute(
            "INSERT INTO images (id, uri, content_hash, pixel_hash, bytes, width, height,"
            " mtime, status, error, metadata, added_at)"
            " VALUES (:id, :uri, :content_hash, :pixel_hash, :bytes, :width, :height,"
            " :mtime, :status, :error, :metadata, :added_at)"
            " ON CONFLICT (uri) DO UPDATE SET content_hash = excluded.content_hash,"
            " pixel_hash = excluded.pixel_hash, bytes = excluded.bytes,"
            " width = excluded.width, height = excluded.height, mtime = excluded.mtime,"
            " status = excluded.status, error = excluded.error,"
            " metadata = excluded.metadata",
            {**row, "metadata": json.dumps(row.get("metadata") or {}), "added_at": time.time()},
        )
