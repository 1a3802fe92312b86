"""The local runner streams its source: records are planned a chunk at a time and read,
embedded and committed while the source is still being drawn (a folder of millions of
files is never held whole), and the progress bar follows the records drawn so far."""

from __future__ import annotations

import shutil

import pytest

from lookalike.pipeline import index_records, plan
from lookalike.sources import records_from
from lookalike.store import Store
from tests.conftest import PixelBackbone

N_COPIES = 4


@pytest.fixture()
def many_files(tmp_path, photos_dir):
    """The nine photos, each under four names (36 files)."""
    root = tmp_path / "many"
    root.mkdir()
    for path in sorted(photos_dir.iterdir()):
        for i in range(N_COPIES):
            shutil.copy(path, root / f"{i}-{path.name}")
    return sorted(root.iterdir())


def test_batches_are_committed_while_the_source_is_drawn(tmp_path, many_files, monkeypatch):
    monkeypatch.setattr(plan, "PLAN_CHUNK", 4)
    store = Store.create(tmp_path / "col")
    committed_when_drawn: list[int] = []

    def source():
        for record in records_from(many_files):
            committed_when_drawn.append(store.catalog.counts()["ok"])
            yield record

    calls: list[tuple[int, int]] = []
    report = index_records(
        store,
        source(),
        PixelBackbone(),
        batch_size=2,
        workers=1,
        progress=lambda done, seen: calls.append((done, seen)),
    )
    n = len(many_files)
    assert (report.seen, report.added, report.failed) == (n, n, [])
    assert report.embedded == n // N_COPIES and report.views_embedded == n // N_COPIES
    # Reading is at most a prefetch window (4 batches) and a chunk ahead of writing.
    assert committed_when_drawn[-1] >= n - 4 * 2 - 4 - 2
    assert calls[-1] == (n, n)
    assert all(done <= seen for done, seen in calls)
    assert [seen for _, seen in calls] == sorted(seen for _, seen in calls)
    assert len({seen for _, seen in calls}) > 1  # the total grew as the source was drawn

    calls.clear()
    again = index_records(
        store, records_from(many_files), PixelBackbone(), progress=lambda *c: calls.append(c)
    )
    assert (again.seen, again.unchanged, again.embedded) == (n, n, 0)
    assert calls == [(n, n)]  # all unchanged: said once, not at every chunk
