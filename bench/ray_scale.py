"""Indexing on Ray beside the local engine, in one run: the same folder of ~1 MP JPEGs
embedded with the default model (the picture and its centre view, as ``index`` does)
locally (no Ray), then with ``engine="ray"`` on a local
Ray cluster of this machine's cores with 1 and with 2 actors (1 CPU each).

Printed per run: wall seconds of ``Collection.index`` and images/s; the fixed cost of a
run (until the first shard is in: for Ray, starting the actors and loading one model in
each); the steady rate (images/s after that, what a large collection sees); the scaling
efficiency (2-actor rate / twice the 1-actor rate) and Ray's rate against the local
engine's (both on all cores). The local run is repeated
last, so that a change in the machine's load shows.

    python bench/ray_scale.py [--images 640] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from embed import make_images  # noqa: E402  (bench/ is not a package)


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run(folder: Path, tmp: Path, name: str, n: int, batch_size: int, **kw) -> dict:
    """Index ``folder`` into a new collection: wall seconds, and the steady rate once the
    first shard is in (what a large collection sees: before it, the run plans and, on
    Ray, starts the actors and loads a model in each)."""
    import lookalike
    from lookalike.models.views import centre_name

    col = lookalike.create(tmp / name)
    t0 = time.perf_counter()
    report = col.index(folder, progress=False, batch_size=batch_size, **kw)
    seconds = time.perf_counter() - t0
    assert report.embedded == n and not report.failed, str(report)
    assert report.views_embedded == n, str(report)  # both engines store the centre views
    after_first = sum(b.wait_read + b.embed + b.write for b in report.batches[1:])
    steady = (n - report.batches[0].n_images) / max(1e-9, after_first)
    return {
        "name": name,
        "seconds": seconds,
        "rate": n / seconds,
        "fixed": seconds - after_first,
        "steady": steady,
        "vectors": col.embeddings(),
        "centre": col._store.embeddings(centre_name(report.model)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=640)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    n, bs = args.images, args.batch_size

    import ray
    from PIL import Image

    from lookalike.models import get_backbone

    get_backbone()  # export the ONNX model once, before any timing (the actors load it)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "jpegs"
        folder.mkdir()
        make_images(folder, n)
        with Image.open(next(folder.glob("*.jpg"))) as im:
            mp = im.width * im.height / 1e6
        print(f"{n} JPEGs of {mp:.2f} MP from real photos, batch {bs}, {cores} cores")
        print(f"before: {load()} (a machine shared with other jobs)")
        rows = [run(folder, tmp, "local (threads, no Ray)", n, bs)]
        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
        try:
            for actors in (1, 2):
                rows.append(
                    run(
                        folder,
                        tmp,
                        f"Ray, {actors} actor(s) x 1 CPU",
                        n,
                        bs,
                        engine="ray",
                        ray_actors=actors,
                        ray_cpus=1.0,
                    )
                )
        finally:
            ray.shutdown()
        rows.append(run(folder, tmp, "local again", n, bs))
        print(f"after: {load()}")

    print(f"{'run':<28}{'wall s':>8}{'img/s':>8}{'fixed s':>9}{'steady img/s':>14}")
    for r in rows:
        print(
            f"{r['name']:<28}{r['seconds']:>8.1f}{r['rate']:>8.1f}{r['fixed']:>9.1f}"
            f"{r['steady']:>14.1f}"
        )
    local = (rows[0]["steady"] + rows[-1]["steady"]) / 2
    local_wall = (rows[0]["rate"] + rows[-1]["rate"]) / 2
    one, two = rows[1], rows[2]
    print(
        f"scaling 1 -> 2 actors: steady {two['steady'] / (2 * one['steady']):.0%}, "
        f"wall {two['rate'] / (2 * one['rate']):.0%} efficiency"
    )
    print(
        f"Ray (2 actors) against local on {cores} cores: steady {two['steady'] / local:.0%}, "
        f"wall {two['rate'] / local_wall:.0%} of the local images/s "
        f"(target: within 25%, i.e. >= 75%)"
    )
    print(f"per worker core (1 actor, steady): {one['steady']:.1f} images/s")
    for r in rows[1:3]:
        cosines = []
        for key in ("vectors", "centre"):
            ref, emb = rows[0][key], r[key]
            pos = ref.positions()
            assert sorted(emb.ids) == sorted(ref.ids)
            pairs = zip(emb.ids, emb.vectors, strict=True)
            cosines.append(min(float(v @ ref.vectors[pos[i]]) for i, v in pairs))
        print(
            f"{r['name']}: same ids as local, min cosine to the local vectors "
            f"{cosines[0]:.7f}, to the local centre views {cosines[1]:.7f}"
        )


if __name__ == "__main__":
    main()
