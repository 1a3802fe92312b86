"""Sources: where images come from. Each yields :class:`ImageRecord` objects."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lookalike._uris import FILE_PREFIX, is_remote, path_uri, uri_path
from lookalike.sources._base import ImageRecord
from lookalike.sources.catalogue import from_catalogue, is_catalogue_source
from lookalike.sources.entries import read_object
from lookalike.sources.folder import (
    UNREADABLE_FOLDER,
    SkipFn,
    from_files,
    from_folder,
    from_list_file,
)
from lookalike.sources.iiif import IIIFClient, from_iiif, is_iiif_source
from lookalike.sources.parquet import BadParquet, from_parquet

__all__ = [
    "UNREADABLE_FOLDER",
    "BadParquet",
    "ImageRecord",
    "SkipFn",
    "from_catalogue",
    "from_files",
    "from_folder",
    "from_iiif",
    "from_list_file",
    "from_parquet",
    "is_parquet_url",
    "local_folder",
    "read_object",
    "records_from",
    "records_of_uris",
]


def records_from(
    source: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    skipped: SkipFn | None = None,
) -> Iterator[ImageRecord]:
    """Records for a folder, a list file (``.txt``), a Parquet file of paths or URLs
    (``.parquet``, a local file or an ``http(s)://`` URL: :func:`from_parquet`), one
    image file, a catalogue's image list (an ``http(s)://`` URL whose path ends in
    ``/images``, e.g. ``.../catalogue/v2/images?query=cat``), a IIIF manifest or
    collection (any other ``http(s)://`` URL, or a ``.json`` file), or an iterable of
    paths.

    ``skipped(uri, reason)`` is told what a folder's walk leaves out (see
    :func:`from_folder`), and the rows of a Parquet file that name no path.

    Raises
    ------
    FileNotFoundError
        If a path given as the source does not exist.
    BadParquet
        For a ``.parquet`` file that is not Parquet or has no column of paths.
    NotIIIF, SourceUnavailable
        For IIIF sources that are not IIIF or cannot be fetched; SourceUnavailable too
        for a ``.parquet`` URL that cannot be fetched.
    CatalogueUnavailable
        For a catalogue that cannot be reached (when the records are read).
    """
    if isinstance(source, str | os.PathLike) and is_catalogue_source(source):
        return from_catalogue(os.fspath(source))
    if isinstance(source, str) and source.startswith(FILE_PREFIX):
        source = uri_path(source)  # type: ignore[assignment]  # a uri the catalog wrote
    if isinstance(source, str | os.PathLike) and is_parquet_url(source):
        return from_parquet(source, skipped=skipped)
    if isinstance(source, str | os.PathLike) and is_iiif_source(source):
        return iter(from_iiif(source))
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            return from_folder(path, skipped=skipped)
        if path.is_file():
            if path.suffix.lower() in (".txt", ".lst"):
                return from_list_file(path)
            if path.suffix.lower() == ".parquet":
                return from_parquet(path, skipped=skipped)
            return from_files([path])
        raise FileNotFoundError(f"Source {str(source)!r} is not a folder or a file.")
    return from_files(source)


def local_folder(source: object) -> str | None:
    """The uri of the folder :func:`records_from` walks for ``source``, if it walks one,
    or of the Parquet file it reads, local or its URL (what each left out is recorded
    under it)."""
    if isinstance(source, str | os.PathLike) and is_parquet_url(source):
        return os.fspath(source)
    if isinstance(source, str) and source.startswith(FILE_PREFIX):
        source = uri_path(source)
    if isinstance(source, str | os.PathLike) and not is_iiif_source(source):
        if os.path.isdir(source):
            return path_uri(source)
        if os.path.isfile(source) and os.fsdecode(source).lower().endswith(".parquet"):
            return path_uri(source)
    return None


def is_parquet_url(source: str | os.PathLike) -> bool:
    """An ``http(s)://`` URL whose path ends in ``.parquet`` (a query may follow)."""
    text = os.fspath(source)
    return is_remote(text) and urlsplit(text).path.lower().endswith(".parquet")


def records_of_uris(uris: Iterable[tuple[str, Mapping[str, Any]]]) -> Iterator[ImageRecord]:
    """Records that read catalogued images again, given as ``(uri, metadata)``: a local
    path through :func:`records_from`; an ``http(s)://`` URL through a
    :class:`IIIFClient` (the cache, rate limit and retries of IIIF sources), which asks
    a IIIF image service (``metadata["iiif_service"]``) for its picture."""
    client: IIIFClient | None = None
    for uri, metadata in uris:
        if not uri.startswith(("http://", "https://")):
            yield from records_from([uri])
            continue
        client = client or IIIFClient()
        service = metadata.get("iiif_service") == uri
        yield ImageRecord(
            uri=uri,
            metadata=dict(metadata),
            loader=lambda u, c=client, s=service: c.get_image(u, s),
        )
