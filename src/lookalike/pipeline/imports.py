"""Import vectors computed elsewhere into a collection, all or nothing.

Each key of the imported file is matched, in this order, to an image id of the
collection, to a catalogued path, or to an image file on disk (a new catalog row, keyed by
the file's content hash like an indexed file). A pickled ``{path: vector}`` dict may also
name files that are not on this machine: such an image is keyed by a hash of its path and
marked ``missing_file`` in its metadata. Everything is checked before anything is
written; the vectors and the new rows then go through :meth:`Store.commit`, the store's
one write path, in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from PIL import Image

from lookalike._uris import path_uri, record_uri
from lookalike.imaging import content_hash
from lookalike.models import l2_normalize
from lookalike.models.precomputed import ImportedVectors
from lookalike.store import Store

__all__ = ["MODEL_NAME", "ImportReport", "import_vectors"]

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    source: str
    model: str
    dim: int
    imported: int
    matched: int
    added: int
    missing_files: int
    same_content: int

    def __str__(self) -> str:
        return (
            f"Imported {self.imported} vectors of model {self.model} (dim {self.dim}) from "
            f"{self.source}: {self.matched} images already in the collection, {self.added} "
            f"added ({self.missing_files} of them files not on this machine); "
            f"{self.same_content} keys shared the content of another."
        )


def import_vectors(
    store: Store,
    data: ImportedVectors,
    model: str,
    *,
    expected_dim: int | None = None,
    allow_missing_files: bool | None = None,
) -> ImportReport:
    """Store ``data`` as the vectors of ``model``; add rows for new image files.

    Parameters
    ----------
    expected_dim : int, optional
        The dimension the model must have (a registered model's).
    allow_missing_files : bool, optional
        Accept keys that are neither in the collection nor files on disk; default: only
        for pickled ``{path: vector}`` dicts.

    Raises
    ------
    ValueError
        Bad model name, a dimension that differs from the model's vectors in the
        collection (or ``expected_dim``), or keys not found. Nothing is written then.
    """
    if not MODEL_NAME.fullmatch(model):
        raise ValueError(
            "The 'model' parameter of Collection.import_vectors must be a name of letters, "
            f"digits, '.', '_' and '-' (a folder name). Got {model!r} instead."
        )
    dims = dict(store.catalog.models())
    have = dims.get(model, expected_dim)
    if have is not None and have != data.dim:
        where = "in this collection" if model in dims else "(its backbone's)"
        raise ValueError(
            f"{data.path.name!r} holds vectors of dim={data.dim}, but model {model!r} has "
            f"dim={have} {where}."
        )
    if allow_missing_files is None:
        allow_missing_files = data.path.suffix.lower() in (".pickle", ".pkl")
    hashes, rows, counts = _match_keys(store, data, model, allow_missing_files)
    keep: dict[str, int] = {}
    for i, h in enumerate(hashes):
        keep.setdefault(h, i)  # two keys with one content: the first vector is kept
    order = list(keep.values())
    with store.writing():  # one writer; its chunks are compacted before it lets go
        store.commit(model, data.dim, rows, list(keep), l2_normalize(data.vectors[order]))
        store.tidy(model)
    return ImportReport(
        source=str(data.path),
        model=model,
        dim=data.dim,
        imported=len(order),
        matched=counts["matched"],
        added=len(rows),
        missing_files=counts["missing"],
        same_content=len(hashes) - len(order),
    )


def _match_keys(
    store: Store, data: ImportedVectors, model: str, allow_missing: bool
) -> tuple[list[str], list[dict[str, Any]], dict[str, int]]:
    """Content hash per key, new catalog rows, counts. Reads files; writes nothing."""
    catalog = store.catalog
    base = data.path.absolute().parent
    hashes: list[str] = []
    rows: list[dict[str, Any]] = []
    new_uris: set[str] = set()
    counts = {"matched": 0, "missing": 0}
    not_found: list[str] = []
    for key in data.keys:
        is_text = record_uri(key) == key  # ids are text; a path may hold any bytes
        row = (catalog.image(key) if is_text else None) or catalog.image_by_uri(path_uri(key))
        if row is not None and row.content_hash:
            hashes.append(row.content_hash)
            counts["matched"] += 1
            continue
        path = _existing_file(key, base)
        if path is not None:
            uri = path_uri(path)
            known = catalog.image_by_uri(uri)
            if known is not None and known.content_hash:
                hashes.append(known.content_hash)
                counts["matched"] += 1
                continue
            new = _file_row(path, model)
        elif allow_missing:
            uri = record_uri(key)
            new = _missing_row(key, model)
            counts["missing"] += 1
        else:
            not_found.append(key)
            continue
        hashes.append(new["content_hash"])
        if uri not in new_uris:
            new_uris.add(uri)
            rows.append(new)
    if not_found:
        shown = ", ".join(repr(k) for k in not_found[:3])
        more = f" and {len(not_found) - 3} more" if len(not_found) > 3 else ""
        raise ValueError(
            f"{len(not_found)} ids of {data.path.name!r} are not images of the collection "
            f"nor files: {shown}{more}; nothing was imported."
        )
    return hashes, rows, counts


def _existing_file(key: str, base: Path) -> Path | None:
    for candidate in (Path(key).expanduser(), base / key):
        try:
            if S_ISREG(candidate.stat().st_mode):
                return candidate.absolute()
        except (OSError, ValueError):
            continue
    return None


def _file_row(path: Path, model: str) -> dict[str, Any]:
    data = path.read_bytes()
    digest = content_hash(data)
    width = height = None
    try:
        with Image.open(path) as im:  # the header only
            width, height = im.size
    except Exception:  # not an image Pillow knows: keep the vector, leave the size empty
        pass
    return _row(path_uri(path), digest, len(data), width, height, path.stat().st_mtime, model, {})


def _missing_row(key: str, model: str) -> dict[str, Any]:
    digest = content_hash(b"path:" + key.encode("utf-8", "surrogateescape"))
    return _row(record_uri(key), digest, None, None, None, None, model, {"missing_file": True})


def _row(uri, digest, size, width, height, mtime, model, extra) -> dict[str, Any]:
    return {
        "id": None,
        "id_wanted": digest[:12],
        "uri": uri,
        "content_hash": digest,
        "pixel_hash": None,
        "bytes": size,
        "width": width,
        "height": height,
        "mtime": mtime,
        "status": "ok",
        "error": None,
        "metadata": {"imported_with": model, **extra},
    }
