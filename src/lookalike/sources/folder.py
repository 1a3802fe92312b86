"""Local sources: a folder (walked recursively), a text file listing paths, or paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from lookalike._formats import IMAGE_EXTENSIONS
from lookalike._uris import path_uri
from lookalike.sources._base import ImageRecord
from lookalike.sources.entries import ListEntries

__all__ = ["UNREADABLE_FOLDER", "SkipFn", "from_files", "from_folder", "from_list_file"]

# Told ``(uri, reason)`` for each file or folder a walk leaves out.
SkipFn = Callable[[str, str], None]
UNREADABLE_FOLDER = "folder not readable"  # how the reason for a folder begins


def _os_reason(err: OSError) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    return (err.strerror or str(err)).lower()


def from_folder(root: str | os.PathLike, *, skipped: SkipFn | None = None) -> Iterator[ImageRecord]:
    """Every file with an image extension under ``root``, in sorted order.

    Symbolic links to folders are followed once (a link loop is not walked twice).
    Files are not opened here: a bad file is found and recorded, with its reason, when
    the index reads it. What the walk leaves out is told to ``skipped(uri, reason)``:
    each file whose extension is not an image type lookalike reads, and each folder
    that cannot be listed (permission denied...).
    """
    root = Path(os.fsdecode(root)).absolute()

    def unreadable(err: OSError) -> None:
        if skipped is not None:
            skipped(path_uri(err.filename or root), f"{UNREADABLE_FOLDER}: {_os_reason(err)}")

    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symlink loop, or two links to one folder
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            suffix = path.suffix.lower()
            if suffix in IMAGE_EXTENSIONS:
                yield ImageRecord(uri=path_uri(path))
            elif skipped is not None:
                kind = suffix or "no extension"
                skipped(path_uri(path), f"not an image type lookalike reads ({kind})")


def from_files(paths: Iterable[str | os.PathLike | ImageRecord]) -> Iterator[ImageRecord]:
    """One record per path (any extension: the caller chose them; a ``file://`` uri as
    the catalog writes it is read as its path); records given already (e.g. from a
    remote catalogue) pass through."""
    for path in paths:
        if isinstance(path, ImageRecord):
            yield path
        else:
            yield ImageRecord(uri=path_uri(path))


def from_list_file(list_file: str | os.PathLike) -> Iterator[ImageRecord]:
    """Images listed one per line in a text file: paths (relative to the file's folder),
    ``file://`` uris, ``http(s)://`` or object-store URLs (see
    :mod:`lookalike.sources.entries`); blank lines and lines starting with ``#`` are
    left out."""
    list_file = Path(list_file)
    entries = ListEntries(list_file.absolute().parent)
    lines = list_file.read_text(encoding="utf-8").splitlines()
    return iter(
        [
            entries.record(line.strip())
            for line in lines
            if line.strip() and not line.startswith("#")
        ]
    )
