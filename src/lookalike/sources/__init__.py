"""Sources: where images come from. Each yields :class:`ImageRecord` objects."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from lookalike.sources._base import ImageRecord
from lookalike.sources.folder import from_files, from_folder, from_list_file

__all__ = ["ImageRecord", "from_files", "from_folder", "from_list_file", "records_from"]


def records_from(
    source: str | os.PathLike | Iterable[str | os.PathLike],
) -> Iterator[ImageRecord]:
    """Records for a folder, a list file (``.txt``), one image file, or an iterable of paths.

    Raises
    ------
    FileNotFoundError
        If a path given as the source does not exist.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            return from_folder(path)
        if path.is_file():
            if path.suffix.lower() in (".txt", ".lst"):
                return from_list_file(path)
            return from_files([path])
        raise FileNotFoundError(f"Source {str(source)!r} is not a folder or a file.")
    return from_files(source)
