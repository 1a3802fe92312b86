"""A Parquet file of paths or URLs: one record per row, read a batch of rows at a time.

The path column is ``path``, ``uri`` or ``url`` (the first there is), else the one
string column of the file. Each value is read as a line of a ``.txt`` list is
(:mod:`lookalike.sources.entries`: paths against the Parquet file's folder, ``file://``
uris, ``http(s)://`` and object-store URLs). An
``id`` column gives the records' ids (a stable id from the source, as a catalogue's); the
other scalar columns (text, numbers, booleans, dates) are kept as each record's metadata.

The file may be at an ``http(s)://`` URL: it is downloaded whole (Parquet's footer is at
its end) with the HTTP client of the remote sources (rate limit, retries) into a
temporary file, read as a local one, and removed once its rows are drawn. Its relative
paths are then URLs beside it (``urljoin`` with the file's URL), as a relative path in a
local file is a file beside it.
"""

from __future__ import annotations

import math
import os
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lookalike._uris import display, is_remote, path_uri
from lookalike.errors import LookalikeError
from lookalike.sources._base import ImageRecord
from lookalike.sources.entries import ListEntries
from lookalike.sources.folder import SkipFn

__all__ = ["PATH_COLUMNS", "BadParquet", "from_parquet"]

PATH_COLUMNS = ("path", "uri", "url")  # in this order of preference
ID_COLUMN = "id"
ROWS_PER_BATCH = 4096  # rows turned into Python objects at a time
USER_AGENT = "lookalike (Parquet source; +https://pypi.org/project/lookalike/)"


class BadParquet(LookalikeError, ValueError):
    """A Parquet source that cannot be read, or has no column of paths."""


def from_parquet(
    source: str | os.PathLike,
    *,
    column: str | None = None,
    skipped: SkipFn | None = None,
) -> Iterator[ImageRecord]:
    """A record for each row of the Parquet file ``source`` (a path, or an
    ``http(s)://`` URL: see the module docstring), in file order, read
    :data:`ROWS_PER_BATCH` rows at a time.

    ``column`` names the path column (default: see the module docstring). A row whose
    path is null or blank is told to ``skipped(uri, reason)``, with ``uri`` the file's
    own followed by ``#row=N`` (N counted from 0), and makes no record. A path that does
    not exist makes a record that fails with its reason when the index reads it, as a
    bad line of a ``.txt`` list does.

    Raises
    ------
    BadParquet
        At once, if the file is not Parquet or has no path column; while the rows are
        read, if a part of the file is corrupt.
    SourceUnavailable
        At once, if the URL cannot be fetched (unreachable, or an answer such as 404).
    """
    name = os.fsdecode(source)
    if is_remote(name):
        return _from_url(name, column, skipped)
    path = Path(source)
    parquet = _open(path, name)
    # Where relative paths lead is fixed now, not when the first row is drawn.
    base = path.absolute().parent
    here = path_uri(base / path.name)
    return _records(parquet, name, here, ListEntries(base), column, skipped)


def _open(path: Path, name: str) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise BadParquet(f"Cannot read {name!r} as Parquet: {_first_line(err)}") from None


def _records(
    parquet: Any,
    name: str,
    here: str,
    entries: ListEntries,
    column: str | None,
    skipped: SkipFn | None,
) -> Iterator[ImageRecord]:
    """The rows' records (the path column checked now, the rows read when drawn)."""
    schema = parquet.schema_arrow
    path_column = _path_column(schema, column, name)
    id_column = ID_COLUMN if ID_COLUMN in schema.names and ID_COLUMN != path_column else None
    kept = [f.name for f in schema if f.name not in (path_column, id_column) and _is_scalar(f.type)]
    return _rows(parquet, name, here, entries, path_column, id_column, kept, skipped)


def _from_url(url: str, column: str | None, skipped: SkipFn | None) -> Iterator[ImageRecord]:
    """The records of the Parquet file at ``url``, downloaded to a temporary file that
    is removed when the rows are all drawn, or the records dropped unread."""
    fd, temp = tempfile.mkstemp(prefix="lookalike-", suffix=".parquet")
    parquet = None
    try:
        with os.fdopen(fd, "wb") as file:
            _download(url, file)
        parquet = _open(Path(temp), url)
        rows = _records(parquet, url, url, ListEntries(url), column, skipped)
    except BaseException:
        _remove(parquet, temp)
        raise
    return _Downloaded(rows, parquet, temp)


def _download(url: str, file: Any) -> None:
    import httpx

    from lookalike.sources.http import HttpClient
    from lookalike.sources.iiif import SourceUnavailable

    client = HttpClient(user_agent=USER_AGENT)
    try:
        response = client.download(url, file)
    except httpx.TransportError as err:
        raise SourceUnavailable(f"Cannot reach {url}: {str(err) or type(err).__name__}") from None
    finally:
        client.close()
    if response.status_code != 200:
        raise SourceUnavailable(f"{url} answered HTTP {response.status_code}.")


class _Downloaded(Iterator[ImageRecord]):
    """The records of a downloaded file; the file removed when they are all drawn, when
    reading them fails, or when they are dropped (or at exit) if neither happened."""

    def __init__(self, rows: Iterator[ImageRecord], parquet: Any, temp: str) -> None:
        self._rows = rows
        self._done = weakref.finalize(self, _remove, parquet, temp)

    def __next__(self) -> ImageRecord:
        try:
            return next(self._rows)
        except BaseException:  # the last row drawn, or a corrupt row group
            self._done()
            raise

    def close(self) -> None:
        """Remove the downloaded file now (the rows not drawn are not read)."""
        self._done()


def _remove(parquet: Any, temp: str) -> None:
    if parquet is not None:
        parquet.close()  # (before the file goes, for systems that lock open files)
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass


def _rows(
    parquet: Any,
    name: str,
    here: str,
    entries: ListEntries,
    path_column: str,
    id_column: str | None,
    kept: list[str],
    skipped: SkipFn | None,
) -> Iterator[ImageRecord]:
    columns = [path_column, *([id_column] if id_column else []), *kept]
    for batch, n in _batches(parquet, name, columns):
        paths = batch.column(path_column).to_pylist()
        ids = batch.column(id_column).to_pylist() if id_column else [None] * len(paths)
        meta = {key: _values(batch.column(key)) for key in kept}
        for i, value in enumerate(paths):
            row = n + i
            if value is None or not value.strip():
                if skipped is not None:
                    why = "null" if value is None else "blank"
                    skipped(f"{here}#row={row}", f"no path ({path_column!r} is {why})")
                continue
            value = value.strip()
            id_ = None if ids[i] is None else str(ids[i])
            metadata = {
                key: values[i]
                for key, values in meta.items()
                if values[i] is not None
                and not (isinstance(values[i], float) and not math.isfinite(values[i]))
            }
            yield entries.record(value, id_, metadata)


def _batches(parquet: Any, name: str, columns: list[str]) -> Iterator[tuple[Any, int]]:
    """The file's rows in batches, each with the number of its first row; a row group
    at a time, so that a corrupt one is named by the rows it holds."""
    import pyarrow as pa

    start = 0
    for group in range(parquet.num_row_groups):
        size = parquet.metadata.row_group(group).num_rows
        batches = parquet.iter_batches(
            batch_size=ROWS_PER_BATCH, row_groups=[group], columns=columns
        )
        n = start
        while True:
            try:
                batch = next(batches, None)
            except (pa.ArrowException, OSError) as err:
                raise BadParquet(
                    f"Cannot read rows {start}-{start + size - 1} of {name!r}: {_first_line(err)}"
                ) from None
            if batch is None:
                break
            yield batch, n
            n += len(batch)
        start += size


def _path_column(schema: Any, column: str | None, name: str) -> str:
    """The column of paths: ``column``, else the first of :data:`PATH_COLUMNS`, else the
    one string column (a :class:`BadParquet` saying which columns there are if none)."""
    strings = [f.name for f in schema if _is_string(f.type)]
    if column is None:
        named = [c for c in PATH_COLUMNS if c in schema.names]
        if named:
            column = named[0]
        elif len([c for c in strings if c != ID_COLUMN]) == 1:
            column = next(c for c in strings if c != ID_COLUMN)
        else:
            have = ", ".join(schema.names) or "none"
            raise BadParquet(
                f"{name!r} has no column of paths: name it path, uri or url (its columns: {have})."
            )
    if column not in schema.names:
        have = ", ".join(schema.names)
        raise BadParquet(f"{name!r} has no column {column!r} (its columns: {have}).")
    if column not in strings:
        kind = schema.field(column).type
        raise BadParquet(f"Column {column!r} of {name!r} holds {kind}, not paths (text).")
    return column


def _is_string(kind: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _is_scalar(kind: Any) -> bool:
    """Whether a column's values can be metadata (JSON): text, numbers, booleans, dates;
    not bytes, lists, structs or maps."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return (
        _is_string(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_temporal(kind)
    )


def _values(column: Any) -> list[Any]:
    """A column's values as JSON can hold them: dates, times and decimals as text."""
    import pyarrow as pa

    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if pa.types.is_decimal(kind) or pa.types.is_temporal(kind):
        try:
            column = column.cast(pa.string())
        except pa.ArrowException:  # a kind Arrow does not write as text (intervals)
            return [None if v is None else str(v) for v in column.to_pylist()]
    return column.to_pylist()


def _first_line(err: Exception) -> str:
    """The first line of Arrow's message, printable (a corrupt file's bytes may be in it)."""
    text = str(err).strip()
    return display(text.splitlines()[0]).rstrip(": ") if text else type(err).__name__
