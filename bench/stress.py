"""The concurrency stress test, longer: ``lookalike index`` killed with SIGKILL at
``--kills`` moments drawn from ``--seed`` and resumed, then two ``index`` runs at once,
while a Python reader loops over ``lookalike.open``, ``lookalike neighbors`` runs again
and again and ``lookalike serve`` answers; the end state is compared with a clean run of
the same images (tests/concurrency.py holds the scenario; tests/store/test_concurrency.py
runs a short one).

Prints the kill/resume cycles survived and the vectors lost (must be 0), what the
readers did, and the time of the whole scenario beside the clean run's in this process.

    python bench/stress.py                    # 400 images, 12 kills (about 5 minutes)
    python bench/stress.py --n 100 --kills 3  # a quick look
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.concurrency import make_images, run_stress  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="images")
    parser.add_argument("--kills", type=int, default=12, help="kill -9 / resume cycles")
    parser.add_argument("--seed", type=int, default=2026, help="draws the kill moments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lookalike-stress-") as tmp:
        images = make_images(Path(tmp) / "images", args.n, seed=args.seed)
        r = run_stress(images, Path(tmp) / "col", kills=args.kills, seed=args.seed)
    print(f"images                       {r.n_images}")
    print(f"kill/resume cycles survived  {r.cycles_survived} of {args.kills}")
    print(f"kill -9 landed mid-run       {r.kills_mid_run} (of {r.kills} kills)")
    print(f"vectors lost                 {r.vectors_lost}")
    print(f"images embedded (committed)  {r.embedded_total} (each image once: {r.n_images})")
    print(f"second writer waited         {r.second_writer_waited}")
    print(f"Python reader reads          {r.python_reads}")
    print(f"lookalike neighbors runs     {r.cli_runs}")
    print(f"server requests              {r.server_requests}")
    print(f"server caught up after       {r.server_follow_seconds:.1f} s")
    print(f"max |vector - clean run|     {r.max_abs_diff:.2e}")
    print(f"neighbours equal clean run   {r.neighbours_equal}")
    print(f"scenario / clean run         {r.seconds:.1f} s / {r.clean_seconds:.1f} s")
    print(f"errors                       {len(r.errors)}")
    for e in r.errors:
        print(f"  {e}")
    sys.exit(1 if r.errors or r.vectors_lost else 0)


if __name__ == "__main__":
    main()
