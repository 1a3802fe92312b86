"""The collection under real concurrent processes: ``lookalike index`` killed with
SIGKILL at moments drawn from a fixed seed and resumed, then two ``index`` runs at once,
while a Python reader loops, ``lookalike neighbors`` runs again and again and
``lookalike serve`` (started mid-index) answers. At the end the collection equals a
clean run (ids, vectors, neighbours). bench/stress.py runs it longer."""

from __future__ import annotations

from tests.concurrency import make_images, run_stress

N_IMAGES = 64


def test_kill_resume_and_concurrent_readers_lose_nothing(tmp_path):
    images = make_images(tmp_path / "images", N_IMAGES)
    result = run_stress(images, tmp_path / "col", kills=3, seed=7, kill_after=(0.0, 1.5))
    print(result)
    assert not result.errors, "\n".join(result.errors)
    assert result.vectors_lost == 0
    assert result.embedded_total == N_IMAGES  # every image committed exactly once
    assert result.neighbours_equal and result.max_abs_diff <= 1e-4
    assert result.kills >= 1 and result.cycles_survived == 3
    assert result.python_reads > 0 and result.cli_runs > 0 and result.server_requests > 0
