"""The entries of a list of images (a line of a ``.txt`` list, a cell of a Parquet
file) as records: one rule for every list.

- a relative path is read against the list's folder, an absolute one as it is, and a
  ``file://`` uri (as the catalog writes it) as its path;
- an ``http(s)://`` URL is fetched with the IIIF client (cache, rate limit, retries);
- any other ``scheme://`` (``s3://``, ``gs://``, ``hdfs://``...) is read through
  :mod:`pyarrow.fs` with this process's credentials.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
    """Makes the records of one list's entries, relative paths against ``base`` (one
    HTTP client for the whole list, made when a first URL needs it).

    >>> entries = ListEntries(Path("/data"))
    >>> entries.record("a/b.jpg").uri, entries.record("s3://bucket/c.jpg").uri
    ('/data/a/b.jpg', 's3://bucket/c.jpg')
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self._client: Any = None

    def record(
        self, value: str, id: str | None = None, metadata: dict[str, Any] | None = None
    ) -> ImageRecord:
        """The record of one entry (``value`` already stripped, not empty)."""
        metadata = metadata or {}
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
        local = value if value.startswith(FILE_PREFIX) else self.base / value
        return ImageRecord(uri=path_uri(local), id=id, metadata=metadata)
