"""Nearest-neighbour quality on labelled image sets that install offline: precision@10
of ``neighbors`` for the stored vectors (plain cosine, the default) and alternatives
computed from them, side by side in one run.

Sets (a neighbour is right when it has the query's label; queries come from labels
with at least 11 images, the rest stay in as distractors):

- ``wesnoth-portraits``: Debian ``wesnoth-1.16-data`` portraits, labelled by race;
- ``wesnoth-units``: its unit sprites (the base sprite of each unit, no animation
  frames), by race;
- ``digits``: scikit-learn's 1,797 hand-written digits (8x8), by digit;
- ``lfw-subset``: scikit-image's 200 crops, faces or not.

Vectors: ``cosine`` (the stored vectors, what ``neighbors`` uses), ``root``
(power-normalised, the duplicate score's), ``centre`` (root of the whole picture and of
its centre view side by side: one more embedding per image), ``whiten`` and
``root-whiten`` (PCA-whitening learned on the collection itself, with shrinkage).

    nice -n 10 python bench/neighbors_quality.py --workdir /tmp/lookalike-nn
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

import lookalike  # noqa: E402
from lookalike._collection.duplicates import scored_vectors  # noqa: E402
from lookalike.analysis import RootVectors  # noqa: E402

WESNOTH = Path("/usr/share/games/wesnoth/1.16/data/core/images")


def write_set(name: str, folder: Path) -> dict[str, str] | None:
    """Write set ``name`` as PNG files into ``folder``; file name -> label (None: the
    set does not install here)."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    if name == "wesnoth-portraits":
        if not (WESNOTH / "portraits").is_dir():
            return None
        for race in sorted(p for p in (WESNOTH / "portraits").iterdir() if p.is_dir()):
            if race.name in ("portraits", "images"):
                continue  # loose extras without a race
            for f in sorted(race.rglob("*.png")):
                out = f"{race.name}-{f.stem}-{len(labels)}.png"
                Image.open(f).convert("RGBA").save(folder / out)
                labels[out] = race.name
    elif name == "wesnoth-units":
        if not (WESNOTH / "units").is_dir():
            return None
        for race in sorted(p for p in (WESNOTH / "units").iterdir() if p.is_dir()):
            label = race.name.split("-")[0]  # human-loyalists, human-magi: humans
            for f in sorted(race.rglob("*.png")):
                if "-" in f.stem:
                    continue  # an animation frame or a direction: not a unit of its own
                out = f"{race.name}-{f.stem}-{len(labels)}.png"
                Image.open(f).convert("RGBA").save(folder / out)
                labels[out] = label
    elif name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        for k, (im, y) in enumerate(zip(d.images, d.target, strict=True)):
            pixels = (255 - im * 255 / 16).astype(np.uint8)  # dark ink on white
            out = f"digit-{k:04d}.png"
            Image.fromarray(pixels).resize((64, 64), Image.Resampling.NEAREST).save(folder / out)
            labels[out] = str(int(y))
    elif name == "lfw-subset":
        from skimage import data

        for k, im in enumerate(data.lfw_subset()):
            out = f"lfw-{k:03d}.png"
            Image.fromarray((im * 255).astype(np.uint8)).resize((100, 100)).save(folder / out)
            labels[out] = "face" if k < 100 else "not-face"
    else:
        raise ValueError(name)
    return labels


def whiten(x: np.ndarray, dims: int = 256, shrink: float = 0.1) -> np.ndarray:
    """PCA-whitening learned on ``x`` itself: centre, project on the top ``dims`` axes,
    divide by sqrt(eigenvalue + shrink * mean eigenvalue), re-normalise."""
    mean = x.mean(axis=0)
    xc = x - mean
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    dims = min(dims, len(s))
    lam = s[:dims] ** 2 / len(x)
    y = (xc @ vt[:dims].T) / np.sqrt(lam + shrink * lam.mean())
    return y / np.linalg.norm(y, axis=1, keepdims=True)


def precision_at(x: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    s = x[queries] @ x.T
    s[np.arange(len(queries)), queries] = -np.inf
    top = np.argpartition(-s, k, axis=1)[:, :k]
    return float(np.mean(labels[top] == labels[queries][:, None]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="Kept between runs (cache).")
    parser.add_argument(
        "--sets", nargs="+", default=["wesnoth-portraits", "wesnoth-units", "digits", "lfw-subset"]
    )
    parser.add_argument("--model", default=lookalike.DEFAULT_MODEL)
    args = parser.parse_args()
    variants = ("cosine", "root", "centre", "whiten", "root-whiten")
    results = {}
    for name in args.sets:
        base = args.workdir / name
        if (base / "labels.json").is_file():
            labels = json.loads((base / "labels.json").read_text())
        else:
            labels = write_set(name, base / "images")
            if labels is None:
                print(f"{name}: not installed here, skipped")
                continue
            (base / "labels.json").write_text(json.dumps(labels))
        t = time.perf_counter()
        col = (
            lookalike.open(base / "col")
            if (base / "col").is_dir()
            else lookalike.create(base / "col")
        )
        col.index(base / "images", model=args.model, progress=False)
        emb = col.embeddings(args.model)
        y = np.array([labels[Path(u).name] for u in col._store.catalog.uris_of(emb.ids)])
        names, counts = np.unique(y, return_counts=True)
        big = set(names[counts >= 11])
        queries = np.flatnonzero(np.isin(y, list(big)))
        x = np.asarray(emb.vectors, dtype=np.float32)
        vectors = {
            "cosine": x,
            "root": np.asarray(RootVectors(x)),
            "centre": np.asarray(scored_vectors(col._store, emb, "centre")[1], dtype=np.float32),
            "whiten": whiten(x),
            "root-whiten": whiten(np.asarray(RootVectors(x))),
        }
        results[name] = {v: precision_at(vectors[v], y, queries) for v in variants}
        print(
            f"{name}: {len(y)} images, {len(big)} labels with >= 11 images "
            f"({len(queries)} queries), ready in {time.perf_counter() - t:.0f} s"
        )
    print(f"\nprecision@10 ({args.model})\n")
    print(f"{'set':<20}" + "".join(f"{v:>12}" for v in variants))
    print("-" * (20 + 12 * len(variants)))
    for name, row in results.items():
        print(f"{name:<20}" + "".join(f"{row[v]:>12.3f}" for v in variants))


if __name__ == "__main__":
    main()
