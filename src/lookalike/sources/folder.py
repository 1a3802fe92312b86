"""Local sources: a folder (walked recursively), a text file listing paths, or paths."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from lookalike.imaging import IMAGE_EXTENSIONS
from lookalike.sources._base import ImageRecord

__all__ = ["from_files", "from_folder", "from_list_file"]


def from_folder(root: str | os.PathLike) -> Iterator[ImageRecord]:
    """Every file with an image extension under ``root``, in sorted order.

    Symbolic links to folders are followed once (a link loop is not walked twice);
    unreadable sub-folders are skipped. Files are not opened here: a bad file is found
    and recorded, with its reason, when the index reads it.
    """
    root = Path(root).absolute()
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symlink loop, or two links to one folder
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            if Path(name).suffix.lower() in IMAGE_EXTENSIONS:
                yield ImageRecord(uri=str(Path(dirpath) / name))


def from_files(paths: Iterable[str | os.PathLike | ImageRecord]) -> Iterator[ImageRecord]:
    """One record per path (any extension: the caller chose them); records given
    already (e.g. from a remote catalogue) pass through."""
    for path in paths:
        if isinstance(path, ImageRecord):
            yield path
        else:
            yield ImageRecord(uri=str(Path(path).absolute()))


def from_list_file(list_file: str | os.PathLike) -> Iterator[ImageRecord]:
    """Paths listed one per line in a text file (relative to the file's folder)."""
    list_file = Path(list_file)
    base = list_file.absolute().parent
    lines = list_file.read_text(encoding="utf-8").splitlines()
    paths = [base / line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return from_files(paths)
