"""Throughput of each runtime of the default model on real photos, in one run.

Prints images per second at a given batch size (default 32) for the ONNX Runtime and the
torch eager paths, and the lowest cosine between their vectors.

Run: python bench/embed_models.py [batch] [repeats]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from PIL import Image
from skimage import data

from lookalike.models.efficientnet_lite import EfficientNetLite0

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "retina")


def photos(n: int) -> np.ndarray:
    imgs = [Image.fromarray(getattr(data, name)()).convert("RGB") for name in PHOTOS]
    small = [np.asarray(im.resize((224, 224), Image.BILINEAR, reducing_gap=3.0)) for im in imgs]
    return np.stack([small[i % len(small)] for i in range(n)])


def main(batch: int = 32, repeats: int = 5) -> None:
    images = photos(batch)
    vectors = {}
    for runtime in ("onnx", "torch"):
        start = time.perf_counter()
        model = EfficientNetLite0(runtime=runtime)
        setup = time.perf_counter() - start
        vectors[runtime] = model.embed(images)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.embed(images)
            times.append(time.perf_counter() - start)
        print(
            f"{runtime:6s} batch {batch}: {batch / np.median(times):6.1f} img/s median, "
            f"{batch / min(times):6.1f} best of {repeats} (set-up {setup:.1f} s)"
        )
    cosine = np.sum(vectors["onnx"] * vectors["torch"], axis=1)
    print(f"lowest cosine onnx vs torch: {cosine.min():.6f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
