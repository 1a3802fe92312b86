"""The entries of a list of images (a line of a ``.txt`` list, a cell of a Parquet
file) as records: one rule for every list.

- a relative path is read against the list's folder, an absolute one as it is, and a
  ``file://`` uri (as the catalog writes it) as its path; the ``.`` and ``..`` of a
  path are taken out by name (``photos/../photos/a.jpg`` is ``photos/a.jpg``, one
  image), symlinks not followed (the uri stays the path the list gave), and the list's
  folder is kept as the list was named, so a plain entry's uri is what it always was;
- in a list fetched from an ``http(s)://`` URL (a remote Parquet file), a relative path
  is a URL beside the list's (``urljoin``, the path percent-encoded: ``my photo.jpg``
  is ``my%20photo.jpg``); an absolute path is still a local file;
- an ``http(s)://`` URL is fetched with the IIIF client (cache, rate limit, retries);
- any other ``scheme://`` (``s3://``, ``gs://``, ``hdfs://``...) is read through
  :mod:`pyarrow.fs` with this process's credentials.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from lookalike._uris import FILE_PREFIX, is_remote, path_uri
from lookalike.sources._base import ImageRecord

__all__ = ["ListEntries", "read_object"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def read_object(uri: str) -> bytes:
    """The bytes at an object store URL (``s3://``, ``gs://``, ``hdfs://``...), through
    :mod:`pyarrow.fs` with the credentials of this process's environment."""
    import pyarrow.fs

    filesystem, path = pyarrow.fs.FileSystem.from_uri(uri)
    with filesystem.open_input_stream(path) as stream:
        return stream.read()


class ListEntries:
    """Makes the records of one list's entries, relative paths against ``base``: the
    list's folder, or the URL of a list fetched over HTTP (one HTTP client for the whole
    list, made when a first URL needs it).

    >>> entries = ListEntries(Path("/data"))
    >>> entries.record("a/b.jpg").uri, entries.record("s3://bucket/c.jpg").uri
    ('/data/a/b.jpg', 's3://bucket/c.jpg')
    >>> entries.record("a/../b.jpg").uri, ListEntries(Path("/x/../data")).record("b.jpg").uri
    ('/data/b.jpg', '/x/../data/b.jpg')
    >>> ListEntries("https://h/lists/l.parquet").record("../pics/my a.jpg").uri
    'https://h/pics/my%20a.jpg'
    """

    def __init__(self, base: Path | str) -> None:
        self.base = base
        self._client: Any = None

    def record(
        self, value: str, id: str | None = None, metadata: dict[str, Any] | None = None
    ) -> ImageRecord:
        """The record of one entry (``value`` already stripped, not empty)."""
        metadata = metadata or {}
        if isinstance(self.base, str) and not _SCHEME.match(value) and not os.path.isabs(value):
            value = urljoin(self.base, quote(value))  # a relative path beside a list's URL
        if is_remote(value):
            if self._client is None:
                from lookalike.sources.iiif import IIIFClient

                self._client = IIIFClient()
            return ImageRecord(
                uri=value,
                id=id,
                metadata=metadata,
                loader=lambda u, c=self._client: c.get_image(u, False),
            )
        if _SCHEME.match(value) and not value.startswith(FILE_PREFIX):
            return ImageRecord(uri=value, id=id, metadata=metadata, loader=read_object)
        if value.startswith(FILE_PREFIX):
            return ImageRecord(uri=path_uri(value), id=id, metadata=metadata)
        # (In a list at a URL only an absolute path is left here: no folder is needed.)
        base = self.base if isinstance(self.base, Path) else Path("/")
        return ImageRecord(uri=path_uri(join_entry(base, value)), id=id, metadata=metadata)


def join_entry(base: Path, entry: str) -> Path:
    """The path ``entry`` names in a list whose folder is ``base`` (absolute): its ``.``
    and ``..`` taken out by name, as :func:`os.path.normpath` does, symlinks not followed;
    a leading ``..`` climbs out of ``base``, which is otherwise kept as it is spelled.

    >>> str(join_entry(Path("/data"), "x/../a.jpg")), str(join_entry(Path("/data"), "../a.jpg"))
    ('/data/a.jpg', '/a.jpg')
    >>> str(join_entry(Path("/up/.."), "../a.jpg")), str(join_entry(Path("/"), "../a.jpg"))
    ('/up/../../a.jpg', '/a.jpg')
    """
    entry = os.path.normpath(entry)
    if os.path.isabs(entry):
        return Path(entry)
    parts = Path(entry).parts
    while parts and parts[0] == ".." and base.name != "..":
        base, parts = base.parent, parts[1:]  # (the root's parent is the root)
    return base.joinpath(*parts)
