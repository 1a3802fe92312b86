"""k-medoids: lookalike (FasterPAM on the full float32 matrix; the sampled CLARA-style
scheme above 30k images) beside scikit-learn-extra's ``KMedoids(metric="cosine",
init="k-medoids++")`` (what the notebooks use), ``method="alternate"`` and ``"pam"``, in
the same run, on the same clustered 1280-d unit vectors.

scikit-learn-extra imports only with numpy < 2, so it runs in a virtual environment this
script creates once (``~/.cache/lookalike-bench/skx``) and calls through a subprocess; if
that cannot be created, its columns are skipped with the reason. Every run is its own
subprocess, so its peak memory (max RSS) is its own. ``pam`` is stopped after
``--pam-cap`` times lookalike's FasterPAM time at the same (N, k) (it needs > 600 s at
N = 20k, k = 100).

    nice python bench/clusters.py [--sizes 10000 20000] [--ks 10 50] [--big 100000]

Total deviation = sum over all images of the cosine distance to their medoid (lower is
better), computed the same way for every method.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lookalike-bench"
DIM, CENTRES = 1280, 100

SKX_CHILD = r"""
import json, resource, sys, time
import numpy as np
from sklearn_extra.cluster import KMedoids
path, n, k, method = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
x = np.load(path, mmap_mode="r")[:n].astype(np.float64)
t = time.perf_counter()
model = KMedoids(n_clusters=k, metric="cosine", method=method, init="k-medoids++",
                 random_state=0).fit(x)
seconds = time.perf_counter() - t
m = model.medoid_indices_
loss = float(np.clip(1 - x @ x[m].T, 0, None).min(axis=1).sum())
print(json.dumps({"seconds": seconds, "loss": loss,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_vectors(n: int) -> Path:
    """``n`` unit vectors around 100 centres of unequal size and spread (cached)."""
    path = CACHE / f"clustered-{n}x{DIM}.npy"
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    weights = 1.0 / np.arange(1, CENTRES + 1) ** 0.7
    labels = rng.choice(CENTRES, n, p=weights / weights.sum())
    spread = rng.uniform(0.6, 1.4, CENTRES).astype(np.float32)
    x = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 10_000):
        lab = labels[start : start + 10_000]
        block = (
            centres[lab]
            + rng.standard_normal((len(lab), DIM), dtype=np.float32) * spread[lab, None]
        )
        x[start : start + 10_000] = block / np.linalg.norm(block, axis=1, keepdims=True)
    np.save(path, x)
    return path


def lookalike_child(path: str, n: int, k: int, max_full: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from lookalike.analysis import k_medoids

    x = np.load(path, mmap_mode="r")[:n]
    t = time.perf_counter()
    found = k_medoids(x, k, random_state=0, max_full=max_full)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"seconds": seconds, "loss": found.total_deviation, "peak_mb": peak}
    print(json.dumps(out | {"method": found.method}))


def run(cmd: list[str], timeout: float | None = None, env: dict | None = None) -> dict:
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        return {"error": f"exit {done.returncode} {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def skx_python() -> tuple[Path | None, str]:
    """The venv's python with scikit-learn-extra, created on first use."""
    venv = CACHE / "skx"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import sklearn_extra"]
    if python.is_file() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python, ""
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "numpy<2", "scikit-learn-extra"],
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        return None, f"could not create the scikit-learn-extra venv ({err})"
    return python, ""


def fmt(r: dict) -> str:
    if "timeout" in r:
        return f"> {r['timeout']:.0f} s (stopped)"
    if "error" in r:
        return f"failed: {r['error'][:60]}"
    return f"{r['seconds']:7.1f} s  {r['peak_mb']:6.0f} MB  loss {r['loss']:10.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--ks", type=int, nargs="+", default=[10, 50])
    parser.add_argument(
        "--big", type=int, default=100_000, help="N for the sampled scheme (0: skip)"
    )
    parser.add_argument("--pam-cap", type=float, default=1.5)
    parser.add_argument("--pam-sizes", type=int, nargs="*", default=[20_000])
    parser.add_argument("--child", nargs=4, metavar=("PATH", "N", "K", "MAX_FULL"))
    args = parser.parse_args()
    if args.child:
        path, n, k, max_full = args.child
        return lookalike_child(path, int(n), int(k), int(max_full))

    path = str(make_vectors(max([100_000, args.big, *args.sizes])))
    skx, why = skx_python()
    print(f"clustered unit vectors, dim {DIM}, {CENTRES} centres; {os.cpu_count()} cores")
    if skx is None:
        print(f"scikit-learn-extra skipped: {why}")
    me = [sys.executable, __file__, "--child", path]
    # The OpenBLAS 0.3.23 in the numpy<2 wheels segfaults here in multi-threaded float64
    # matrix products of this size (exit -11 at N = 20k); one BLAS thread runs.
    skx_env = os.environ | {"OPENBLAS_NUM_THREADS": "1"}
    rows = []
    for n in args.sizes:
        for k in args.ks:
            res = {"full": run([*me, str(n), str(k), str(n)])}
            if n > 10_000:
                res["sampled"] = run([*me, str(n), str(k), "1000"])
            if skx is not None:
                res["skx alternate"] = run(
                    [str(skx), "-c", SKX_CHILD, path, str(n), str(k), "alternate"], None, skx_env
                )
                if n in args.pam_sizes:
                    cap = max(60.0, args.pam_cap * res["full"].get("seconds", 60.0))
                    res["skx pam"] = run(
                        [str(skx), "-c", SKX_CHILD, path, str(n), str(k), "pam"], cap, skx_env
                    )
            for name, r in res.items():
                print(f"N={n:>6} k={k:>3}  {name:<14} {fmt(r)}", flush=True)
            rows.append((n, k, res))
    for k in args.ks if args.big else []:
        r = run([*me, str(args.big), str(k), "30000"])
        print(f"N={args.big:>6} k={k:>3}  {'sampled':<14} {fmt(r)}", flush=True)
        rows.append((args.big, k, {"sampled": r}))

    print("\nRatios (targets: N=20k loss < skx alternate, time < skx pam; sampled loss")
    print("<= 1.02 x full FasterPAM; N=100k k=50 < 180 s and < 4096 MB):")
    for n, k, res in rows:
        full, samp = res.get("full", {}), res.get("sampled", {})
        alt, pam = res.get("skx alternate", {}), res.get("skx pam", {})
        parts = []
        if "loss" in full and "loss" in alt:
            parts.append(f"loss full/skx-alternate {full['loss'] / alt['loss']:.4f}")
        if "loss" in full and "loss" in samp:
            parts.append(f"loss sampled/full {samp['loss'] / full['loss']:.4f}")
        if "seconds" in full and ("seconds" in pam or "timeout" in pam):
            pam_s = pam.get("seconds", pam.get("timeout"))
            more = ">" if "timeout" in pam else ""
            parts.append(f"time skx-pam/full {more}{pam_s / full['seconds']:.2f}x")
        if "seconds" in samp and not full:
            parts.append(f"{samp['seconds']:.0f} s, {samp['peak_mb']:.0f} MB peak")
        print(f"  N={n:>6} k={k:>3}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
