"""Reading memory-mapped vectors without keeping them resident: the page helpers every
layer that scans vectors uses (the store writes them, ``search`` and ``analysis`` read
them block by block). Below the store, so that nothing above imports the store for them.
"""

from __future__ import annotations

import mmap

import numpy as np

__all__ = ["read_block", "read_rows", "release_pages"]


def release_pages(vectors) -> None:
    """Unmap the resident pages of a read-only memory-mapped array (or of the arrays a
    lazy view reads through: its ``base``, like ``RootVectors``, or its ``parts``);
    they stay in the OS page cache, so reading them again costs a minor fault, not a disk read.

    A scan that calls this after each block keeps the process's resident memory at
    about one block, however large the file: without it every page read stays mapped
    and counts in the process's memory (5 GB for a million 1280-d vectors). Anything
    that is not a read-only memory map is left alone.
    """
    for part in getattr(vectors, "parts", ()):  # a lazy view over several arrays
        release_pages(part)
    for arr in (vectors, getattr(vectors, "base", None)):
        mapping = getattr(arr, "_mmap", None)  # numpy.memmap's mmap object
        if isinstance(mapping, mmap.mmap) and getattr(arr, "mode", None) == "r":
            if hasattr(mapping, "madvise"):  # POSIX only
                mapping.madvise(mmap.MADV_DONTNEED)
            return


def read_block(vectors, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of ``vectors`` as an in-memory float32 array, with
    :func:`release_pages` after the read: a scan that reads through this keeps about one
    block of a memory map resident."""
    block = np.array(vectors[start:stop], dtype=np.float32)
    release_pages(vectors)
    return block


def read_rows(vectors, rows: np.ndarray, *, chunk: int = 4096) -> np.ndarray:
    """``vectors[rows]`` as an in-memory float32 array, gathered ``chunk`` rows at a time
    with :func:`release_pages` in between.

    Random rows of a memory map are the costly case: the kernel maps 64 KB around each
    page it faults in, so a few hundred thousand scattered rows map the whole file;
    gathering in chunks keeps that below about ``chunk * 128`` KB.
    """
    rows = np.asarray(rows)
    out = np.empty((len(rows), vectors.shape[1]), dtype=np.float32)
    for s in range(0, len(rows), chunk):
        out[s : s + chunk] = vectors[rows[s : s + chunk]]
        release_pages(vectors)
    return out
