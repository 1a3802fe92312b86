"""A per-user cache of ONNX exports, keyed by a hash of the weights they were made from.

A model is exported once per weights file: the file name holds the SHA-256 of the weights
(and a graph version), so new weights or a changed graph get a new file and a stale
export is never loaded. Exports are written to a temporary file in the same directory and
renamed into place, so a crash or a concurrent export never leaves a half-written model.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from lookalike._files import atomic_path
from lookalike._progress import status

__all__ = [
    "cache_dir",
    "cached_export",
    "cpu_session",
    "cpu_threads",
    "export_path",
    "file_sha256",
]


def cache_dir() -> Path:
    """The user's lookalike cache directory (it may not exist yet).

    ``$LOOKALIKE_CACHE`` if set, else ``$XDG_CACHE_HOME/lookalike``, else
    ``~/.cache/lookalike``.
    """
    if os.environ.get("LOOKALIKE_CACHE"):
        return Path(os.environ["LOOKALIKE_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "lookalike"


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def export_path(stem: str, weights: str | os.PathLike, version: str) -> Path:
    """Where the export of ``weights`` (graph ``version``) lives in the cache.

    The name is ``<stem>-<first 16 hex digits of the weights' SHA-256>-<version>.onnx``.
    """
    return cache_dir() / "onnx" / f"{stem}-{file_sha256(weights)[:16]}-{version}.onnx"


def cached_export(
    target: Path, export: Callable[[Path], None], what: str | None = None
) -> tuple[Path, bool]:
    """Return ``(target, exported)``, calling ``export(tmp)`` first if ``target`` is missing.

    ``export`` writes a complete model to the path it is given; that file is then renamed
    to ``target`` atomically. ``exported`` tells whether this call had to export. The
    export (half a minute) shows a status line naming ``what`` (default: the file).
    """
    if target.is_file():
        return target, False
    # mkstemp makes the file 0600; the cache is shared like any installed model file
    where = f"exporting {what or target.stem} to ONNX, once (cached in {target.parent})"
    with atomic_path(target, prefix=f".{target.stem}.", suffix=".partial.onnx", mode=0o644) as tmp:
        with status(where):
            export(tmp)
    return target, True


def cpu_threads() -> int:
    """Inference threads: ``$OMP_NUM_THREADS`` when set (a Ray actor finds its share of
    the node's cores there), else every core."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return os.cpu_count() or 1


def cpu_session(path: str | os.PathLike):
    """An ONNX Runtime session on the CPU using :func:`cpu_threads` threads (onnxruntime
    imported here)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = cpu_threads()
    options.inter_op_num_threads = 1
    # Idle ONNX Runtime threads spin by default; that steals the cores the decode threads
    # of the indexing pipeline need (measured in bench/embed.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
