"""Reduced vectors against full ones: bytes per image, neighbours, duplicate pairs and kNN
graphs with vectors kept in float16, PCA 256, PCA 128 and PCA 256 + float16, beside the
full float32 vectors in the same run, on crops of the real photos that install offline.

    nice -n 10 python bench/reduced_vectors.py                    # 2400 crops
    nice -n 10 python bench/reduced_vectors.py --images 6000 --fit 3000
    nice -n 10 python bench/reduced_vectors.py --memory-rows 300000   # reduce's peak memory

The crops (as bench/duplicates_bound.py makes them) are split in two: the PCA is learned
on the ``--fit`` crops only, as ``lookalike reduce`` learns it on a sample, and every
figure is measured on the other crops, which the PCA never saw (they are projected as
vectors indexed after a reduction are: ``Encoding.encode``, the store's write path).
Figures against the full vectors' own answers on the same crops:

- recall@10: of each crop's 10 nearest (full vectors), the share still among its 10
  nearest with the reduced vectors;
- duplicate pairs at the default threshold (centre scores: whole pictures and centre
  views, both reduced; of PCA-reduced vectors plain cosines, as `duplicates` scores
  them): recall and precision against the full vectors' pairs;
- kNN graph (k=10): the share of the full graph's edges the reduced graph keeps.

``--memory-rows N`` instead stores N random unit vectors of 1280 dimensions (float32)
in a collection and runs ``lookalike reduce --dims 256 --float16`` on it in a child
process, printing its peak resident memory beside the size of the vectors it rewrote.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

import lookalike  # noqa: E402
from lookalike._view_names import centre_name  # noqa: E402
from lookalike.analysis import DEFAULT_THRESHOLD, knn_adjacency, scored_vectors  # noqa: E402
from lookalike.search import FlatIndex, pairs_above  # noqa: E402
from lookalike.store.encoding import Encoding, Projection, fit_stage, unit_rows  # noqa: E402

VARIANTS = [  # (label, PCA dims or None, float16)
    ("float32 (full)", None, False),
    ("float16", None, True),
    ("PCA 256", 256, False),
    ("PCA 128", 128, False),
    ("PCA 256 + float16", 256, True),
]


def reduced(encoding: Encoding, folder: Path, x: np.ndarray) -> np.ndarray:
    """``x`` as stored with ``encoding`` and read back (float32 unit rows)."""
    return unit_rows(encoding.encode(folder, x))


def top10(x: np.ndarray) -> np.ndarray:
    index = FlatIndex.from_vectors(x)
    return index.search(x, 11)[1][:, 1:]  # itself first (crops are distinct pictures)


def memory(n: int, dim: int = 1280, batch: int = 20_000) -> None:
    """Peak memory of a reduction of ``n`` stored float32 vectors, in a child process."""
    from lookalike.store import Store

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="lookalike-reduced-mem-") as tmp:
        store = Store.create(Path(tmp) / "col")
        for start in range(0, n, batch):
            hashes = [f"{i:016x}" for i in range(start, min(n, start + batch))]
            rows = [
                {
                    "id": h[-12:],
                    "uri": f"/synthetic/{h}.jpg",
                    "content_hash": h,
                    "pixel_hash": None,
                    "bytes": None,
                    "width": None,
                    "height": None,
                    "mtime": None,
                    "status": "ok",
                    "error": None,
                    "metadata": {},
                }
                for h in hashes
            ]
            x = np.abs(rng.standard_normal((len(hashes), dim), dtype=np.float32))
            store.commit("synthetic", dim, rows, hashes, x / np.linalg.norm(x, axis=1)[:, None])
        store.tidy("synthetic")
        store.close()
        size = n * dim * 4
        # VmHWM (Linux): the peak of this process's own memory; ru_maxrss would also
        # count what the parent held when it forked the child.
        code = (
            "import re, lookalike, sklearn.decomposition\n"
            "def peak():\n"
            "    status = open('/proc/self/status').read()\n"
            "    return int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) * 1024\n"
            "print(peak())\n"
            f"col = lookalike.open({str(Path(tmp) / 'col')!r})\n"
            "print(col.reduce(256, float16=True, progress=False))\n"
            "print(peak())\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        ).stdout.splitlines()
        before, peak = int(out[0]), int(out[-1])
        print(out[1])
        print(
            f"{n} vectors of {dim} dims: {size / 2**20:.0f} MiB of float32 rewritten; peak "
            f"memory of the reducing process {peak / 2**20:.0f} MiB, of which "
            f"{before / 2**20:.0f} MiB before it started (Python, lookalike, scikit-learn)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=2400)
    parser.add_argument("--fit", type=int, default=1200, help="crops the PCA is learned on")
    parser.add_argument("--memory-rows", type=int, default=0, help="see the docstring")
    args = parser.parse_args()
    if args.memory_rows:
        memory(args.memory_rows)
        return
    from duplicates_bound import write_crops

    with tempfile.TemporaryDirectory(prefix="lookalike-reduced-") as tmp:
        folder = Path(tmp) / "crops"
        folder.mkdir()
        write_crops(folder, args.images)
        col = lookalike.create(Path(tmp) / "col")
        start = time.perf_counter()
        col.index(folder, progress=False)  # the centre views too, from the same decode
        seconds = time.perf_counter() - start
        emb, centre = col.embeddings(), col.embeddings(centre_name(col.default_model))
        assert list(emb.ids) == list(centre.ids)
        names = [Path(r.uri).name for r in col.image_rows()]
        fit = np.array([int(n[:5]) < args.fit for n in names])
        whole, views = np.asarray(emb.vectors), np.asarray(centre.vectors)
        print(
            f"{len(emb)} crops of real photos ({emb.model}, dim {emb.dim}), embedded with "
            f"their centre views in {seconds:.0f} s; PCA learned on {fit.sum()}, measured "
            f"on the other {(~fit).sum()}\n"
        )
        x_full, c_full = whole[~fit], views[~fit]
        full_top = top10(x_full)
        full_pairs = set(
            zip(
                *pairs_above(scored_vectors(x_full, "centre", c_full), DEFAULT_THRESHOLD)[:2],
                strict=True,
            )
        )
        full_graph = knn_adjacency(FlatIndex.from_vectors(x_full), x_full, k=10)
        full_edges = set(zip(*full_graph.nonzero(), strict=True))
        header = (
            f"{'vectors':<18} {'bytes/image':>11} {'recall@10':>9} {'dup recall':>10} "
            f"{'dup precision':>13} {'graph edges kept':>16}"
        )
        print(header)
        print("-" * len(header))
        for label, dims, float16 in VARIANTS:
            enc = Encoding("float16" if float16 else "float32")
            if dims is not None:
                mean, comps = fit_stage(whole[fit], dims)
                name = Projection((mean,), (comps,)).save(Path(tmp) / "pca")
                enc = Encoding(enc.dtype, dims, name)
            x = reduced(enc, Path(tmp) / "pca", x_full)
            c = reduced(enc, Path(tmp) / "pca", c_full)
            top = top10(x)
            recall = np.mean(
                [len(set(a) & set(b)) / 10 for a, b in zip(top, full_top, strict=True)]
            )
            # As `duplicates` scores them: no power normalisation of PCA coordinates.
            scored = scored_vectors(x, "centre", c, root=dims is None)
            i, j, _ = pairs_above(scored, DEFAULT_THRESHOLD)
            pairs = set(zip(i, j, strict=True))
            both = len(pairs & full_pairs)
            dup_recall = both / len(full_pairs) if full_pairs else 1.0
            dup_precision = both / len(pairs) if pairs else 1.0
            adjacency = knn_adjacency(FlatIndex.from_vectors(x), x, k=10)
            edges = set(zip(*adjacency.nonzero(), strict=True))
            kept = len(edges & full_edges) / len(full_edges)
            print(
                f"{label:<18} {enc.bytes_per_vector(emb.dim):>11} {recall:>9.3f} "
                f"{dup_recall:>10.3f} {dup_precision:>13.3f} {kept:>16.3f}"
            )
        print(
            f"\n{len(full_pairs)} duplicate pairs with the full vectors at the default "
            f"threshold {DEFAULT_THRESHOLD} (centre scores); bytes/image: one vector (its "
            "centre view, when kept, costs as much again)."
        )


if __name__ == "__main__":
    main()
