"""Moving image files out of the way (de-duplication): never deleted, always moved to a
folder the user named, and the catalog follows them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from lookalike._uris import display, path_uri, uri_path
from lookalike.store._store import Store
from lookalike.store.catalog import ImageRow

__all__ = ["move_images"]


def move_images(store: Store, rows: Sequence[ImageRow], dest: str | os.PathLike) -> list[str]:
    """Move the files of ``rows`` into ``dest`` (created if needed; a name already there
    gets a ``-2``, ``-3`` ... suffix) and point the catalog at their new place.

    Returns one line per image: ``old -> new``, or why it was not moved.
    """
    folder = Path(dest).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for row in rows:
        src = uri_path(row.uri)
        if src is None or not src.is_file():
            done.append(f"{display(row.uri)}: not moved (no such file)")
            continue
        target, n = folder / src.name, 1
        while target.exists():
            n += 1
            target = folder / f"{src.stem}-{n}{src.suffix}"
        shutil.move(src, target)
        new_uri = path_uri(target)
        store.rename_uri(row.uri, new_uri, target.stat().st_mtime)
        done.append(f"{display(row.uri)} -> {display(new_uri)}")
    return done
