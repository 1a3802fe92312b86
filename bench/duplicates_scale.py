"""Near-duplicate pairs at scale: lookalike's blockwise exact path and FAISS path beside
the notebook approach (scikit-learn cosine_similarity on the full N x N matrix, then a
pandas DataFrame of all pairs, filtered), on synthetic unit vectors with planted
near-duplicate pairs. Each run is a separate process, so peak memory is its own.

    nice python bench/duplicates_scale.py                  # N = 20k and 100k
    nice python bench/duplicates_scale.py --sizes 1000000  # the approximate path at 1M

Prints, per N: seconds, peak resident memory (and its anonymous part: the vectors are a
memory-mapped file), recall of the planted pairs, and this machine's plain float32
matrix-multiply rate measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

DIM = 1280
THRESHOLD = 0.94
ROOT = Path(__file__).resolve().parent.parent


def make_vectors(path: Path, n: int, dim: int = DIM, seed: int = 0) -> None:
    """Unit vectors with a decaying spectrum and a shared mean direction (like image
    embeddings), n/100 planted near-copies with cosine in [0.95, 0.99]; saved as .npy
    (memory-mapped) plus the planted pairs."""
    rng = np.random.default_rng(seed)
    spec = (np.arange(1, dim + 1, dtype=np.float32) ** -0.6).astype(np.float32)
    mean = np.float32(0.4) * np.sqrt((spec**2).sum() / dim)
    x = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, dim))
    for s in range(0, n, 50_000):
        block = rng.standard_normal((min(50_000, n - s), dim), dtype=np.float32) * spec + mean
        x[s : s + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    m = max(10, n // 100)
    rows = rng.choice(n, 2 * m, replace=False)
    src, dst = np.sort(rows[:m]), rows[m:]
    base = np.asarray(x[src])
    noise = rng.standard_normal((m, dim), dtype=np.float32) * spec
    noise -= (noise * base).sum(1, keepdims=True) * base
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    c = rng.uniform(0.95, 0.99, size=(m, 1)).astype(np.float32)
    x[dst] = c * base + np.sqrt(1 - c**2) * noise
    x.flush()
    np.save(
        path.with_suffix(".pairs.npy"), np.stack([np.minimum(src, dst), np.maximum(src, dst)], 1)
    )


class PeakMemory:
    """Peak resident and anonymous memory of this process (sampled every 50 ms)."""

    def __init__(self) -> None:
        self.anon = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _status(key: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop:
            self.anon = max(self.anon, self._status("RssAnon"))
            time.sleep(0.05)

    def stop(self) -> dict[str, float]:
        self._stop = True
        self._thread.join()
        return {"peak_gb": self._status("VmHWM") / 1e9, "anon_gb": self.anon / 1e9}


def matmul_gflops(dim: int = DIM) -> float:
    """A plain float32 A @ B.T rate (GFLOP/s), the same block shape as the exact path."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2048, dim), dtype=np.float32)
    b = rng.standard_normal((16384, dim), dtype=np.float32)
    a @ b.T
    t, reps = time.perf_counter(), 3
    for _ in range(reps):
        a @ b.T
    return reps * 2 * a.shape[0] * b.shape[0] * dim / (time.perf_counter() - t) / 1e9


def planted_recall(pairs_i, pairs_j, n: int, planted: np.ndarray) -> float:
    found = set((pairs_i.astype(np.int64) * n + pairs_j).tolist())
    keys = planted[:, 0].astype(np.int64) * n + planted[:, 1]
    return float(np.mean([k in found for k in keys.tolist()]))


def run_worker(method: str, path: Path) -> dict:
    x = np.load(path, mmap_mode="r")
    planted = np.load(path.with_suffix(".pairs.npy"))
    n = len(x)
    sys.path[:0] = [str(ROOT / "src")]
    import pandas as pd
    from sklearn.metrics.pairwise import cosine_similarity

    from lookalike.analysis import near_duplicate_pairs
    from lookalike.search import choose_index, range_recall

    mem = PeakMemory()
    t = time.perf_counter()
    extra = {}
    if method == "notebook":
        sims = cosine_similarity(np.asarray(x))
        iu, ju = np.triu_indices(n, k=1)
        frame = pd.DataFrame({"a": iu, "b": ju, "score": sims[iu, ju]})
        del iu, ju, sims
        frame = frame[frame["score"] >= THRESHOLD]
        pi, pj = frame["a"].to_numpy(), frame["b"].to_numpy()
    else:
        if method in ("exact", "exact-full"):
            bound = None if method == "exact" else 0  # exact-full: every pair in full
            p = near_duplicate_pairs(x, threshold=THRESHOLD, bound_dims=bound)
            extra["gflop"] = n * n * DIM / 1e9  # the upper triangle, every pair in full
        else:
            index = choose_index(x, task="pairs", exact=False)  # what Collection.duplicates builds
            extra["ivf"] = f"IVF{index.nlist} PCA{index.pca} nprobe {index.nprobe}"
            extra["build_s"] = time.perf_counter() - t
            p = near_duplicate_pairs(
                x, threshold=THRESHOLD, index=index, candidate_threshold=THRESHOLD - 0.05
            )
            extra["search_s"] = time.perf_counter() - t - extra["build_s"]
            extra["sample_recall"] = range_recall(
                index, x, THRESHOLD, candidate_threshold=THRESHOLD - 0.05, sample=300
            )
        pi, pj = p.i, p.j
    seconds = time.perf_counter() - t
    if method == "exact":  # which bound the automatic choice took (outside the timing)
        from lookalike.search._pairs import _choose_bound

        extra["bound"] = _choose_bound(x, THRESHOLD)[0]
    return {
        "method": method,
        "n": n,
        "seconds": seconds,
        "pairs": len(pi),
        "recall": planted_recall(pi, pj, n, planted),
        **mem.stop(),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument(
        "--notebook-max",
        type=int,
        default=20_000,
        help="Largest N for the full-matrix baseline (~22 N^2 bytes).",
    )
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.worker[0], Path(args.worker[1]))))
        return
    rate = matmul_gflops()
    print(f"plain float32 A @ B.T on this machine: {rate:.1f} GFLOP/s ({os.cpu_count()} cores)\n")
    header = (
        f"{'N':>8} {'method':<12} {'seconds':>9} {'peak GB':>8} {'anon GB':>8} "
        f"{'recall':>7} {'pairs':>8}  notes"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="lookalike-bench-") as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"x{n}.npy"
            make_vectors(path, n)
            methods = ["exact", "approximate"] if n <= 200_000 else ["approximate"]
            if n <= 100_000:
                methods.insert(1, "exact-full")
            if n <= args.notebook_max:
                methods.insert(0, "notebook")
            results = {}
            for method in methods:
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", method, str(path)],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    print(f"{n:>8} {method:<12} failed: {out.stderr.strip().splitlines()[-1]}")
                    continue
                r = results[method] = json.loads(out.stdout)
                notes = []
                if "gflop" in r:
                    eff = r["gflop"] / r["seconds"]
                    how = "effective " if "bound" in r else ""
                    notes.append(f"{how}{eff:.1f} GFLOP/s = {eff / rate:.0%} of matmul")
                if "bound" in r:
                    notes.append(f"bound on {r['bound']} dims")
                if "build_s" in r:
                    notes.append(
                        f"{r['ivf']}, build {r['build_s']:.0f} s, search {r['search_s']:.0f} s, "
                        f"recall vs exact on a sample {r['sample_recall']:.3f}"
                    )
                if method != "notebook" and "notebook" in results:
                    notes.append(
                        f"{results['notebook']['seconds'] / r['seconds']:.1f}x faster "
                        "than the notebook"
                    )
                print(
                    f"{n:>8} {method:<12} {r['seconds']:>9.1f} {r['peak_gb']:>8.2f} "
                    f"{r['anon_gb']:>8.2f} {r['recall']:>7.3f} {r['pairs']:>8}  "
                    + "; ".join(notes),
                    flush=True,
                )
            if n > args.notebook_max:
                print(
                    f"{n:>8} {'notebook':<12} {'-':>9} needs ~{22 * n * n / 1e9:.0f} GB "
                    "(N x N float32 + a DataFrame of all pairs): not run",
                    flush=True,
                )
            path.unlink()


if __name__ == "__main__":
    main()
