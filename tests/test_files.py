"""The one atomic-write helper: a file is replaced whole or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from lookalike._files import atomic_file, atomic_path, write_atomic


def test_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "data.bin"
    write_atomic(target, b"old")
    with atomic_file(target, sync_dir=True) as fh:
        fh.write(b"new")
        assert target.read_bytes() == b"old"  # readers see the old file until the end
        assert os.path.basename(fh.name).startswith(".data.bin.")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["data.bin"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temp(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    temp = tmp_path / ".chunk.tmp"
    with pytest.raises(OSError, match="disk full"), atomic_file(target, temp=temp) as fh:
        fh.write(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]


def test_atomic_path_for_writers_by_name(tmp_path):
    target = tmp_path / "model.onnx"
    with atomic_path(target, suffix=".partial.onnx", mode=0o644) as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".partial.onnx")
        tmp.write_text("graph")
    assert target.read_text() == "graph"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
