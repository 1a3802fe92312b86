"""Vector files: scans over a memory map keep the process's resident memory bounded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lookalike._mmap import release_pages
from lookalike.analysis import RootVectors, TwoViewVectors


def resident_file_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no RssFile in /proc/self/status")


def test_released_pages_leave_the_process_and_read_back_the_same(tmp_path):
    x = np.random.default_rng(0).random((20_000, 512), dtype=np.float32)  # 41 MB
    np.save(tmp_path / "x.npy", x)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r")
    before = resident_file_bytes()
    total = float(mm.sum(dtype=np.float64))
    assert resident_file_bytes() - before > 30e6  # every page read stays mapped
    release_pages(mm[:10])  # a view of the map releases the whole map
    assert resident_file_bytes() - before < 5e6
    assert float(mm.sum(dtype=np.float64)) == total  # read again from the page cache
    root = RootVectors(mm)
    root[:]
    assert resident_file_bytes() - before > 30e6
    release_pages(root)  # a lazy view releases the map it reads through
    assert resident_file_bytes() - before < 5e6
    both = TwoViewVectors(mm, mm)
    both[:]
    assert resident_file_bytes() - before > 30e6
    release_pages(both)  # ... or the maps of its parts
    assert resident_file_bytes() - before < 5e6


def test_arrays_that_are_not_read_only_maps_are_left_alone(tmp_path):
    x = np.ones((4, 3), dtype=np.float32)
    release_pages(x)
    np.save(tmp_path / "w.npy", x)
    writable = np.load(tmp_path / "w.npy", mmap_mode="r+")
    writable[0, 0] = 5.0  # a copy-on-write or writable map must keep its pages
    release_pages(writable)
    assert writable[0, 0] == 5.0


def test_a_streamed_flat_scan_keeps_one_block_resident_and_finds_the_same(tmp_path):
    from lookalike.search import FlatIndex

    x = np.random.default_rng(1).random((20_000, 512), dtype=np.float32)  # 41 MB
    np.save(tmp_path / "x.npy", x)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r")
    before = resident_file_bytes()
    streamed = FlatIndex.from_vectors(mm, db_block=2000, stream=True).search(x[:3], 5)
    assert resident_file_bytes() - before < 10e6  # about one 4 MB block at a time
    resident = FlatIndex.from_vectors(mm, db_block=2000).search(x[:3], 5)
    assert resident_file_bytes() - before > 30e6  # an index answering queries stays mapped
    np.testing.assert_array_equal(streamed[1], resident[1])
