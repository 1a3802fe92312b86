"""An experiment on the transfer benchmark's sets: do duplicate scores adjusted for each
image's neighbourhood density transfer better than the plain centre score?

The adjusted score of a pair is ``s(a, b) - lam * (r_a + r_b) / 2``, with ``r_x`` the mean
centre score of ``x`` with its ``k`` nearest other images (as CSLS does for word vectors):
a family of similar pictures (overlapping views of one scene, one series of wallpapers)
lifts every ``r`` in it, so its pairs need more to count as copies than the copies of a
picture that stands alone. Thresholds are tuned (max F1) on the tuning split and
reported on the held-out split, as in ``bench/duplicates_transfer.py``, whose workdirs
this reads (run it first with the same ``--seed``).

    python bench/duplicates_transfer.py --workdir /tmp/transfer --seed 0 --no-auto
    python bench/duplicates_density.py --workdir /tmp/transfer --seed 0
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.duplicates_transfer import prf  # noqa: E402

import lookalike  # noqa: E402
from lookalike._collection.duplicates import scored_vectors  # noqa: E402
from lookalike.analysis import calibrate  # noqa: E402


def load(workdir: Path, seed: int) -> dict:
    """Per split: the photo of each image and the centre-score matrix."""
    data = {}
    for split in ("tune", "held-out"):
        base = workdir / f"seed{seed}" / split
        truth = json.loads((base / "truth.json").read_text())
        col = lookalike.open(base / "col")
        emb = col.embeddings()
        names = [Path(u).name for u in col._store.catalog.uris_of(emb.ids)]
        photo = np.array([truth[n][1] for n in names])
        _, v = scored_vectors(col._store, emb, "centre")
        v = np.asarray(v, np.float32)
        data[split] = (photo, v @ v.T)  # a few hundred images: the full matrix is fine
    return data


def adjusted(scores: np.ndarray, k: int, lam: float) -> np.ndarray:
    others = scores.copy()
    np.fill_diagonal(others, -np.inf)
    density = np.sort(others, axis=1)[:, -k:].mean(axis=1)
    return scores - lam * (density[:, None] + density[None, :]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = load(args.workdir, args.seed)
    print(
        f"{'k':>3}{'lam':>6}{'tuned t':>9}{'tune F1':>9}{'held-out P':>12}{'R':>7}{'F1':>7}"
        f"{'oracle F1':>11}"
    )
    for k in (5, 10, 20):
        for lam in (0.0, 0.25, 0.5, 1.0):
            pairs = {}
            for split, (photo, scores) in data.items():
                i, j = np.triu_indices(len(photo), 1)
                pairs[split] = (adjusted(scores, k, lam)[i, j], photo[i] == photo[j])
            t = calibrate(*pairs["tune"]).threshold
            tune = prf(pairs["tune"][0] >= t, pairs["tune"][1])
            held = prf(pairs["held-out"][0] >= t, pairs["held-out"][1])
            best = calibrate(*pairs["held-out"]).threshold
            oracle = prf(pairs["held-out"][0] >= best, pairs["held-out"][1])
            print(
                f"{k:>3}{lam:>6.2f}{t:>9.3f}{tune[2]:>9.3f}{held[0]:>12.3f}{held[1]:>7.3f}"
                f"{held[2]:>7.3f}{oracle[2]:>11.3f}"
            )


if __name__ == "__main__":
    main()
