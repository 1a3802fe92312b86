"""The exact self-join's pruning bound on real embeddings: time of every pair above a
threshold with the automatic choice, beside the plain blocked product (every pair scored
in full) and each fixed bound, on crops of the real photos that install offline.

`bench/duplicates_scale.py` measures the bound on synthetic embedding-like vectors, as
the issue asks; this one checks that on real vectors the automatic choice is never much
slower than the plain product, whatever it picks.

    nice python bench/duplicates_bound.py                 # 9000 crops, root and centre
    nice python bench/duplicates_bound.py --images 20000

Crops: random windows (15-50% of the side) of the ~60 source photos of
`bench/duplicates_quality.py`, 256 px, JPEG; overlapping windows of one photo are the
near-duplicates (far more of them than in a real collection: a hard case for the bound).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

import lookalike  # noqa: E402
from lookalike.analysis import scored_vectors  # noqa: E402
from lookalike.pipeline.views import centre_vectors  # noqa: E402
from lookalike.search import pairs_above  # noqa: E402
from lookalike.search._pairs import _choose_bound  # noqa: E402


def write_crops(folder: Path, n: int, seed: int = 0) -> None:
    from duplicates_quality import source_photos

    photos = source_photos(max_side=1600)
    rng = np.random.default_rng(seed)
    for k in range(n):
        _, im = photos[rng.integers(len(photos))]
        w, h = im.size
        f = rng.uniform(0.15, 0.5)
        cw, ch = int(w * f), min(h - 1, int(h * f * rng.uniform(0.7, 1.3)))
        x0, y0 = int(rng.integers(0, w - cw)), int(rng.integers(0, h - ch))
        crop = im.crop((x0, y0, x0 + cw, y0 + ch))
        crop.thumbnail((256, 256))
        crop.save(folder / f"{k:05d}.jpg", quality=85)


def timed(vectors: np.ndarray, t: float, bound_dims: int | None) -> tuple[float, int]:
    """Seconds of one exact self-join, and the number of pairs it found."""
    start = time.perf_counter()
    i, _, _ = pairs_above(vectors, t, bound_dims=bound_dims)
    return time.perf_counter() - start, len(i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=9000)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.72, 0.9])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lookalike-bound-") as tmp:
        folder = Path(tmp) / "crops"
        folder.mkdir()
        write_crops(folder, args.images)
        col = lookalike.create(Path(tmp) / "col")
        start = time.perf_counter()
        col.index(folder, progress=False)
        seconds = time.perf_counter() - start
        emb = col.embeddings()
        print(f"{len(emb)} crops of real photos, embedded in {seconds:.0f} s ({emb.model})\n")
        header = f"{'scoring':<8} {'t':>5} {'pairs':>9} {'plain s':>8} {'auto s':>7} {'auto':>5}"
        header += "".join(f" {f'k={k} s':>8}" for k in (64, 128, 256))
        print(header + "  auto / plain")
        print("-" * (len(header) + 14))
        for scoring in ("root", "centre"):
            centre = centre_vectors(col._store, emb, progress=False).vectors
            vectors = np.ascontiguousarray(scored_vectors(emb.vectors, scoring, centre)[:])
            for t in args.thresholds:
                plain, pairs = timed(vectors, t, 0)
                auto, _ = timed(vectors, t, None)
                fixed = [timed(vectors, t, k)[0] for k in (64, 128, 256)]
                chosen = _choose_bound(vectors, t)[0]
                print(
                    f"{scoring:<8} {t:>5.2f} {pairs:>9} {plain:>8.2f} {auto:>7.2f} {chosen:>5}"
                    + "".join(f" {s:>8.2f}" for s in fixed)
                    + f"  {auto / plain:.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
