"""Benchmark: the whole-collection kNN graph and path queries, lookalike against the
notebook approach (hnswlib kNN + an igraph graph built edge by edge in Python).

Synthetic clustered unit vectors (clusters of clusters), d = 1280, k = 10. Each side
runs in its own process so that its peak memory (max RSS) is its own. Printed: build
time, peak memory, median/p95 time of random path queries, and the fraction of random
pairs that have a path; then the ratios.

    nice python bench/graph.py --n 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def make_vectors(path: Path, n: int, dim: int, seed: int = 0) -> Path:
    """Clusters of ~100 images around centres that are themselves clustered."""
    if path.is_file():
        return path
    rng = np.random.default_rng(seed)
    n_clusters = max(1, n // 100)
    n_super = max(1, n_clusters // 20)
    supers = rng.normal(size=(n_super, dim)).astype(np.float32)
    supers /= np.linalg.norm(supers, axis=1, keepdims=True)
    centres = supers[rng.integers(0, n_super, n_clusters)]
    centres += rng.normal(scale=0.9 / np.sqrt(dim), size=centres.shape).astype(np.float32)
    out = np.lib.format.open_memmap(path.with_suffix(".tmp.npy"), "w+", np.float32, (n, dim))
    labels = rng.integers(0, n_clusters, n)
    for start in range(0, n, 50_000):
        lab = labels[start : start + 50_000]
        x = centres[lab] + rng.normal(scale=0.6 / np.sqrt(dim), size=(len(lab), dim)).astype(
            np.float32
        )
        out[start : start + len(x)] = x / np.linalg.norm(x, axis=1, keepdims=True)
    out.flush()
    del out
    path.with_suffix(".tmp.npy").rename(path)
    return path


def pairs(n: int, count: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.integers(0, n, size=(count, 2))
    return p[p[:, 0] != p[:, 1]]


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_lookalike(path: Path, k: int, queries: int) -> dict:
    from lookalike.analysis import knn_graph
    from lookalike.search import choose_index

    vectors = np.load(path, mmap_mode="r")
    ids = np.array([f"i{i}" for i in range(len(vectors))], dtype=object)
    t0 = time.perf_counter()
    g = knn_graph(vectors, ids, k=k, index=choose_index(vectors, task="graph"))
    build = time.perf_counter() - t0
    result = {"build_s": build, "islands": g.n_islands, "bridges": len(g.bridges)}
    qp = pairs(len(ids), queries)
    for method in ("shortest", "fewest", "smooth"):
        t0 = time.perf_counter()
        g.path(ids[qp[0, 0]], ids[qp[0, 1]], method=method)  # numba: load/compile once
        warm = time.perf_counter() - t0
        times, found, steps = [], 0, []
        for a, b in qp:
            t0 = time.perf_counter()
            p = g.path(ids[a], ids[b], method=method)
            times.append(time.perf_counter() - t0)
            found += 1
            steps.append(p.steps)
        result[method] = {
            "first_call_s": warm,
            "median_ms": 1000 * float(np.median(times)),
            "p95_ms": 1000 * float(np.percentile(times, 95)),
            "with_path": found / len(qp),
            "median_steps": float(np.median(steps)),
        }
    result["peak_mb"] = peak_mb()
    return result


def run_notebook(path: Path, k: int, queries: int) -> dict:
    import hnswlib
    import igraph as ig

    vectors = np.load(path, mmap_mode="r")
    n, dim = vectors.shape
    t0 = time.perf_counter()
    index = hnswlib.Index(space="cosine", dim=dim)
    index.init_index(max_elements=n, ef_construction=100, M=16)
    index.set_num_threads(2)
    for start in range(0, n, 50_000):
        x = np.asarray(vectors[start : start + 50_000])
        index.add_items(x, np.arange(start, start + len(x)))
    index.set_ef(50)
    edges, weights = [], []
    for start in range(0, n, 50_000):
        labels, dists = index.knn_query(np.asarray(vectors[start : start + 50_000]), k=k + 1)
        for i in range(len(labels)):  # the notebook loop: edge by edge
            for j, d in zip(labels[i], dists[i], strict=True):
                if j != start + i:
                    edges.append((start + i, int(j)))
                    weights.append(float(d))
    g = ig.Graph(n=n, edges=edges, directed=False)
    g.es["weight"] = weights
    g.simplify(combine_edges="min")
    build = time.perf_counter() - t0
    times, found = [], 0
    import warnings

    for a, b in pairs(n, queries):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = g.get_shortest_path(int(a), int(b), weights="weight")
        times.append(time.perf_counter() - t0)
        found += bool(p)
    return {
        "build_s": build,
        "islands": len(g.connected_components()),
        "shortest": {
            "median_ms": 1000 * float(np.median(times)),
            "p95_ms": 1000 * float(np.percentile(times, 95)),
            "with_path": found / len(times),
        },
        "peak_mb": peak_mb(),
    }


def child(side: str, n: int, dim: int, k: int, queries: int, data: Path) -> dict:
    path = make_vectors(data / f"bench-graph-{n}-{dim}.npy", n, dim)
    cmd = [sys.executable, __file__, "--child", side, str(path), str(k), str(queries)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000])
    parser.add_argument("--dim", type=int, default=1280)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--data", type=Path, default=Path("/tmp"))
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        side, path, k, queries = args.child
        run = run_lookalike if side == "lookalike" else run_notebook
        print(json.dumps(run(Path(path), int(k), int(queries))))
        return
    for n in args.n:
        print(f"\n== N = {n:,}, d = {args.dim}, k = {args.k}, {args.queries} random pairs ==")
        ours = child("lookalike", n, args.dim, args.k, args.queries, args.data)
        print("lookalike:", json.dumps(ours, indent=1))
        base = child("notebook", n, args.dim, args.k, args.queries, args.data)
        print("notebook (hnswlib + igraph edge by edge):", json.dumps(base, indent=1))
        if "error" in ours or "error" in base:
            continue
        print(
            f"build: lookalike {ours['build_s']:.1f} s, {ours['peak_mb']:.0f} MB peak; "
            f"notebook {base['build_s']:.1f} s, {base['peak_mb']:.0f} MB peak "
            f"(time ratio {base['build_s'] / ours['build_s']:.2f}x)"
        )
        s, b = ours["shortest"], base["shortest"]
        print(
            f"shortest path: lookalike median {s['median_ms']:.1f} ms, "
            f"{100 * s['with_path']:.0f}% of pairs have a path; notebook median "
            f"{b['median_ms']:.1f} ms, {100 * b['with_path']:.0f}% "
            f"(median ratio {b['median_ms'] / s['median_ms']:.1f}x)"
        )
        for m in ("fewest", "smooth"):
            r = ours[m]
            print(
                f"{m} path: median {r['median_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, "
                f"{100 * r['with_path']:.0f}% with a path, median {r['median_steps']:.0f} steps"
            )


if __name__ == "__main__":
    main()
