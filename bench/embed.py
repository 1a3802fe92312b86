"""End-to-end indexing throughput of ~1 MP JPEGs with the default model, beside the naive
notebook path (full PIL decode, batch of 1, no parallel decode) in the same run.

Each path runs in its own subprocess so that its peak memory (max RSS) is its own.

    python bench/embed.py [--images 400] [--naive-images 80]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def make_images(dest: Path, n: int) -> None:
    """``n`` distinct ~1 MP JPEGs cut from real photos that install offline."""
    from skimage import data

    sources = [
        Path(data.data_dir) / f
        for f in ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png")
    ]
    sources += sorted(Path("/usr/share/backgrounds/mate").glob("*/*.jpg"))
    photos = []
    for path in sources:
        with Image.open(path) as im:
            photos.append(im.convert("RGB"))
    rng = np.random.default_rng(0)
    for i in range(n):
        im = photos[i % len(photos)]
        w, h = im.size
        cw, ch = int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.6, 1.0))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        crop = im.crop((x, y, x + cw, y + ch)).resize((1200, 850), Image.Resampling.BILINEAR)
        crop.save(dest / f"img_{i:04d}.jpg", quality=90)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_lookalike(folder: Path, n: int) -> dict:
    import lookalike

    with tempfile.TemporaryDirectory() as tmp:
        col = lookalike.create(Path(tmp) / "col")
        from lookalike.models import get_backbone

        get_backbone()  # load (and export, the first time) before timing
        t0 = time.perf_counter()
        report = col.index(folder, progress=False)
        seconds = time.perf_counter() - t0
    assert report.embedded == n, str(report)
    waits = sum(b.wait_read for b in report.batches)
    embed = sum(b.embed for b in report.batches)
    return {"images": n, "seconds": seconds, "read_wait_s": waits, "embed_s": embed}


def run_naive(folder: Path, n: int, runtime: str) -> dict:
    from lookalike.models.efficientnet_lite import EfficientNetLite0

    model = EfficientNetLite0(runtime=runtime)
    files = sorted(folder.glob("*.jpg"))[:n]
    t0 = time.perf_counter()
    vectors = []
    for path in files:  # what the notebooks do: one image at a time, full decode
        im = Image.open(path).convert("RGB").resize((224, 224), Image.Resampling.BILINEAR)
        vectors.append(model.embed(np.asarray(im)[None]))
    seconds = time.perf_counter() - t0
    return {"images": len(vectors), "seconds": seconds}


def run_model_only(runtime: str, batch: int = 32, rounds: int = 4) -> dict:
    from lookalike.models.efficientnet_lite import EfficientNetLite0

    model = EfficientNetLite0(runtime=runtime)
    x = np.random.default_rng(0).integers(0, 255, (batch, 224, 224, 3), dtype=np.uint8)
    model.embed(x)
    t0 = time.perf_counter()
    for _ in range(rounds):
        model.embed(x)
    return {"images": batch * rounds, "seconds": time.perf_counter() - t0}


def child(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    if args.child == "lookalike":
        out = run_lookalike(folder, args.images)
    elif args.child.startswith("naive-"):
        out = run_naive(folder, args.naive_images, args.child.removeprefix("naive-"))
    else:
        out = run_model_only(args.child.removeprefix("model-"))
    out["peak_mb"] = peak_mb()
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--naive-images", type=int, default=80)
    parser.add_argument("--child", default=None)
    parser.add_argument("--folder", default=None)
    args = parser.parse_args()
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "jpegs"
        folder.mkdir()
        make_images(folder, args.images)
        mp = np.mean([np.prod(Image.open(p).size) for p in list(folder.glob("*.jpg"))[:5]]) / 1e6
        print(f"{args.images} JPEGs of {mp:.2f} MP from real photos; 2 runs per path, best kept")
        rows = {}
        paths = ["model-onnx", "model-torch", "naive-torch", "naive-onnx", "lookalike"]
        for path in paths:
            best = None
            for _ in range(2):
                cmd = [
                    sys.executable,
                    __file__,
                    "--child",
                    path,
                    "--folder",
                    str(folder),
                    "--images",
                    str(args.images),
                    "--naive-images",
                    str(args.naive_images),
                ]
                res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
                out = json.loads(res.stdout.strip().splitlines()[-1])
                if best is None or out["seconds"] < best["seconds"]:
                    best = out
            rows[path] = best
    base = rows["naive-torch"]["images"] / rows["naive-torch"]["seconds"]
    print(f"{'path':<44}{'images':>7}{'img/s':>9}{'x naive':>9}{'peak MB':>9}")
    labels = {
        "naive-torch": "naive: PIL full decode, batch 1, torch",
        "naive-onnx": "naive: PIL full decode, batch 1, ONNX",
        "lookalike": "lookalike index (draft decode, threads, b32)",
        "model-torch": "model only, torch eager, batch 32",
        "model-onnx": "model only, ONNX Runtime, batch 32",
    }
    for path in ["naive-torch", "naive-onnx", "lookalike", "model-torch", "model-onnx"]:
        r = rows[path]
        rate = r["images"] / r["seconds"]
        print(
            f"{labels[path]:<44}{r['images']:>7}{rate:>9.1f}{rate / base:>9.2f}{r['peak_mb']:>9.0f}"
        )
    lk = rows["lookalike"]
    print(
        f"lookalike: {lk['read_wait_s']:.1f} s waiting for decoded images, "
        f"{lk['embed_s']:.1f} s in the model, of {lk['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
