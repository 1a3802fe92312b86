"""Throughput of the built-in models, ONNX Runtime vs torch eager, side by side, in one run.

For EfficientNet-Lite0, Lite1 and Lite2: images per second at a given batch size on real
photos squashed to each model's input size, the ratio ONNX / torch, and the lowest cosine
between the two runtimes' vectors.

Run: python bench/models.py [batch] [repeats]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from PIL import Image
from skimage import data

from lookalike.models.efficientnet_lite import VARIANTS, EfficientNetLite

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "retina")


def photos(n: int, size: int) -> np.ndarray:
    imgs = [Image.fromarray(getattr(data, name)()).convert("RGB") for name in PHOTOS]
    small = [np.asarray(im.resize((size, size), Image.BILINEAR, reducing_gap=3.0)) for im in imgs]
    return np.stack([small[i % len(small)] for i in range(n)])


def throughput(model: EfficientNetLite, images: np.ndarray, repeats: int) -> float:
    model.embed(images)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.embed(images)
        times.append(time.perf_counter() - start)
    return len(images) / float(np.median(times))


def main(batch: int = 32, repeats: int = 5) -> None:
    print(f"batch {batch}, median of {repeats}")
    print(
        f"{'model':20s} {'input':>6s} {'onnx img/s':>11s} {'torch img/s':>12s} "
        f"{'ratio':>6s}  min cos"
    )
    for name, variant in VARIANTS.items():
        images = photos(batch, variant.input_size)
        onnx = EfficientNetLite(name, runtime="onnx")
        torch_model = EfficientNetLite(name, runtime="torch")
        rate = {"onnx": throughput(onnx, images, repeats)}
        rate["torch"] = throughput(torch_model, images, repeats)
        cosine = np.sum(onnx.embed(images) * torch_model.embed(images), axis=1).min()
        print(
            f"{name:20s} {variant.input_size:5d}px {rate['onnx']:11.1f} {rate['torch']:12.1f} "
            f"{rate['onnx'] / rate['torch']:5.2f}x  {cosine:.6f}"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
