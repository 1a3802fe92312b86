"""lookalike beside its peers, end to end on one folder: fastdup 2.54 and imagededup's
PHash, in one run, alternating, with wall time, CPU time, peak memory and F1 for each.
(One script of more than 400 lines on purpose: a benchmark is read and run as a whole.)

The folder: ``--images`` (default 1,200) real ~1 MP JPEGs (1200x850): crops (50-100%
of the largest crop of that aspect, resized to 1200x850) of the photos that install
offline (scikit-image, Debian mate-backgrounds, plasma-workspace-wallpapers; one file
per picture, the largest size it ships in; flat crops skipped). ``--sources`` of them get 3
derivatives each, drawn from the 8 kinds of bench/duplicates_quality.py (resize, crop,
JPEG quality 20-50, rotation, greyscale, colour shift, border, overlay text). A pair is
"same" when both images come from one crop, "different" when they come from different
photos; two crops of one photo (they may overlap, or show one wallpaper's pattern) are
neither, and left out of every tool's score, as "junk" images are in retrieval
benchmarks.

Each tool runs from the folder to its duplicate pairs in a process of its own, the first
time (a new collection, a new work dir), so its peak memory (max RSS) and CPU time are
its own; rounds alternate the order so that the machine's load hits each tool alike:

- lookalike: ``lookalike index FOLDER -c COL`` then ``lookalike duplicates COL --out
  pairs.csv`` (default model, score, threshold and geometric check), two processes, as
  a user runs them (its best threshold is that of the scores alone, ``--no-verify``);
  ``lookalike-nv``: the same with ``duplicates --no-verify`` (the scores alone);
- fastdup 2.54 (``FASTDUP_PRODUCTION=1``, offline, ``num_threads=2``; its own similarity
  list at ``threshold=0.5``, ``nearest_neighbors_k=5`` so that the best threshold can be
  found; F1 at its similarity default 0.9 and dedup default 0.96);
- imagededup PHash (``find_duplicates``, Hamming distance <= 10, its default).

fastdup and imagededup run in their own virtual environment (fastdup pins numpy<2 and
Pillow 10.3; its licence, CC BY-NC-ND, allows no more than this comparison): made on
first use in ``~/.cache/lookalike-bench/fastdup-venv`` (``--peers-venv``) with pip.

    nice python bench/peers.py [--images 1200] [--sources 100] [--rounds 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.duplicates_quality import SKIMAGE, derivatives  # noqa: E402

SIZE = (1200, 850)
PEERS = ("fastdup==2.54", "imagededup")


def source_photos() -> list[tuple[str, Callable[[], Image.Image]]]:
    """Every real photo that installs offline, one per picture, at full size: (name, a
    function that loads it), so that one photo at a time is in memory."""
    from skimage import data

    def skimage_photo(name: str) -> Image.Image:
        arr = data.stereo_motorcycle()[0] if name == "motorcycle_left" else getattr(data, name)()
        return Image.fromarray(arr).convert("RGB")

    def load(path: Path) -> Image.Image:
        with Image.open(path) as im:
            w, h = im.size
            if min(w, h) >= 4 * SIZE[1]:  # crops of half its side still exceed SIZE
                im.draft("RGB", (w // 2, h // 2))
            return im.convert("RGB")

    photos: list[tuple[str, Callable[[], Image.Image]]] = [
        (f"skimage-{name}", lambda name=name: skimage_photo(name)) for name in SKIMAGE
    ]
    files = sorted(Path("/usr/share/backgrounds").rglob("*.jpg"))
    files += sorted(Path("/usr/share/backgrounds").rglob("*.png"))
    files += sorted(Path("/usr/share/wallpapers").glob("*/contents/images/*"))
    # One file per picture: the largest of the sizes a picture ships in (Elephants.jpg,
    # Elephants_3840x2160.jpg; a wallpaper family's images/2560x1440.jpg, ...).
    largest: dict[tuple[str, str], Path] = {}
    for path in files:
        key = (str(path.parent), re.sub(r"[_-]?\d+x\d+$", "", path.stem))
        if key not in largest or path.stat().st_size > largest[key].stat().st_size:
            largest[key] = path
    photos += [(str(path), lambda path=path: load(path)) for path in sorted(largest.values())]
    return photos


def crops(photos, n: int, rng, stage: Path) -> list[tuple[str, Path]]:
    """About ``1.5 n`` crops of the photos (as many from each; aspect of SIZE, 50-100% of
    the largest such crop, anywhere), resized to SIZE and saved as JPEGs in ``stage``;
    flat ones skipped. Returns (photo@box, file)."""
    out = []
    per_photo = -(-3 * n // (2 * len(photos)))  # flat photos give fewer
    for name, load in photos:
        try:
            im = load()
        except Exception:  # a photo scikit-image cannot give, an unreadable file
            continue
        w, h = im.size
        full = min(w, h * SIZE[0] / SIZE[1])  # the widest crop of SIZE's aspect
        made = 0
        for _ in range(4 * per_photo):
            if made == per_photo:
                break
            cw = int(full * rng.uniform(0.5, 1.0))
            ch = int(cw * SIZE[1] / SIZE[0])
            x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            box = (x, y, x + cw, y + ch)
            tile = im.resize(SIZE, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
            grey = np.asarray(tile.convert("L").resize((200, 141)), dtype=np.float32)
            if grey.std() < 20 or np.abs(np.diff(grey, axis=1)).mean() < 3:
                continue
            path = stage / f"{len(out):05d}.jpg"
            tile.save(path, quality=90)
            out.append((f"{name}@{x},{y},{cw}", path))
            made += 1
    return out


def build_set(folder: Path, n_images: int, n_sources: int, seed: int = 0) -> dict[str, str]:
    """Write the set into ``folder``; return file name -> crop (photo@box) it comes from."""
    rng = np.random.default_rng(seed)
    stage = folder.parent / f".{folder.name}-crops"
    stage.mkdir()
    try:
        pool = crops(source_photos(), n_images, rng, stage)
        n_base = n_images - 3 * n_sources
        if n_base > len(pool):
            raise SystemExit(f"only {len(pool)} crops: ask for fewer images or more sources")
        truth = {}
        for rank, k in enumerate(rng.permutation(len(pool))[:n_base]):
            name, path = pool[k]
            file = f"{rank:04d}.jpg"
            os.replace(path, folder / file)
            truth[file] = name
            if rank < n_sources:
                with Image.open(folder / file) as im:
                    made = derivatives(im.convert("RGB"), rng)
                for kind in rng.choice(sorted(made), size=3, replace=False):
                    q = int(rng.integers(20, 51)) if kind == "jpeg" else 90
                    file = f"{rank:04d}__{kind}.jpg"
                    made[kind].save(folder / file, quality=q)
                    truth[file] = name
    finally:
        shutil.rmtree(stage)
    return truth


# -- the runs: each a process of its own ------------------------------------------------


LAUNCHER = r"""
import os, resource, subprocess, sys, json, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:])
_, status, ru = os.wait4(p.pid, 0)
wall = time.perf_counter() - t
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
                  "code": code}), file=sys.stderr)
sys.exit(code)
"""


def measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd`` through a launcher that reports its wall, CPU and peak memory."""
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *cmd], env=env, capture_output=True, text=True
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed:\n{proc.stderr[-3000:]}")
    return report


def run_lookalike(
    folder: Path, work: Path, verify: bool = True
) -> tuple[dict, list[tuple[str, str, float]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80"}
    exe = [sys.executable, "-c", "import sys; from lookalike.cli import main; sys.exit(main())"]
    col = work / "col"
    a = measured([*exe, "index", str(folder), "--collection", str(col)], env)
    check = [] if verify else ["--no-verify"]
    b = measured([*exe, "duplicates", str(col), *check, "--out", str(work / "pairs.csv")], env)
    # untimed: the scores down to 0.5, for the best threshold (of the scores alone: the
    # geometric check of every pair down to 0.5 would measure another rule)
    low = work / "low.csv"
    measured([*exe, "duplicates", str(col), "-t", "0.5", "--no-verify", "--out", str(low)], env)
    result = {
        "wall": a["wall"] + b["wall"],
        "cpu": a["cpu"] + b["cpu"],
        "peak_mb": max(a["peak_mb"], b["peak_mb"]),
        "steps": f"index {a['wall']:.1f} s + duplicates {b['wall']:.1f} s",
    }
    return result, read_pairs(work / "low.csv", col), read_pairs(work / "pairs.csv", col)


def read_pairs(path: Path, col: Path) -> list[tuple[str, str, float]]:
    import lookalike

    uris = lookalike.open(col).images().set_index("id")["uri"]
    with open(path, newline="") as f:
        return [
            (Path(uris[r["a"]]).name, Path(uris[r["b"]]).name, float(r["score"]))
            for r in csv.DictReader(f)
        ]


FASTDUP = r"""
import os, sys, json
os.environ["FASTDUP_PRODUCTION"] = "1"
import fastdup
fd = fastdup.create(work_dir=sys.argv[2], input_dir=sys.argv[1])
fd.run(num_threads=2, overwrite=True, threshold=0.5, nearest_neighbors_k=5, verbose=False)
json.dump(len(fd.connected_components()), open(sys.argv[3], "w"))  # its duplicate sets
""".strip()


def fastdup_pairs(work: Path) -> list[tuple[str, str, float]]:
    """fastdup's similarity list (from, to, cosine), as file names."""
    with open(work / "atrain_features.dat.csv", newline="") as f:
        names = {int(r["index"]): Path(r["filename"]).name for r in csv.DictReader(f)}
    with open(work / "similarity.csv", newline="") as f:
        return [
            (names[int(r["from"])], names[int(r["to"])], float(r["distance"]))
            for r in csv.DictReader(f)
        ]


PHASH = r"""
import sys, json
from imagededup.methods import PHash
ph = PHash(verbose=False)
hashes = ph.encode_images(image_dir=sys.argv[1], num_enc_workers=2)
dups = ph.find_duplicates(encoding_map=hashes, max_distance_threshold=10, scores=True,
                          num_dist_workers=2)
json.dump({"hashes": hashes, "dups": dups}, open(sys.argv[2], "w"))
"""


def peers_python(venv: Path) -> Path:
    """The peers' virtual environment's python, made (with pip) on first use."""
    python = venv / "bin" / "python"
    ok = (
        python.is_file()
        and (
            subprocess.run([str(python), "-c", "import fastdup, imagededup"], capture_output=True)
        ).returncode
        == 0
    )
    if not ok:
        print(f"installing {', '.join(PEERS)} into {venv} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS], check=True)
    return python


def run_fastdup(python: Path, folder: Path, work: Path):
    env = {**os.environ, "FASTDUP_PRODUCTION": "1", "OMP_NUM_THREADS": "2"}
    out = work / "fastdup.json"
    r = measured([str(python), "-c", FASTDUP, str(folder), str(work / "fd"), str(out)], env)
    return r, fastdup_pairs(work / "fd")


def run_phash(python: Path, folder: Path, work: Path):
    out = work / "phash.json"
    r = measured([str(python), "-c", PHASH, str(folder), str(out)])
    found = json.loads(out.read_text())
    pairs = [(a, b, float(d)) for a, ds in found["dups"].items() for b, d in ds]
    return r, pairs, found["hashes"]


# -- scoring -------------------------------------------------------------------------


JUNK: set[frozenset] = set()  # pairs of two tiles of one photo: not scored


def f1_at(pairs: set[frozenset], same: set[frozenset]) -> tuple[float, float, float]:
    pairs = pairs - JUNK
    tp = len(pairs & same)
    p = tp / len(pairs) if pairs else 1.0
    r = tp / len(same) if same else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scored(pairs, same, keep) -> tuple[float, float, float]:
    return f1_at({frozenset((a, b)) for a, b, s in pairs if keep(s) and a != b}, same)


def best(pairs, same, higher_is_closer: bool = True) -> tuple[float, tuple]:
    """The threshold with the best F1 over ``pairs`` (a, b, score), and its (P, R, F1):
    one pass over the pairs sorted from closest to farthest."""
    scores: dict[frozenset, float] = {}
    for a, b, v in pairs:
        key = frozenset((a, b))
        if a != b and key not in JUNK:
            v = v if higher_is_closer else -v
            scores[key] = max(v, scores.get(key, v))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    out, tp = (0.0, (0.0, 0.0, 0.0)), 0
    for k, (key, v) in enumerate(ranked):
        tp += key in same
        nxt = ranked[k + 1][1] if k + 1 < len(ranked) else None
        if nxt == v:  # ties are kept or dropped together
            continue
        p, r = tp / (k + 1), tp / len(same)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > out[1][2]:
            out = (v if higher_is_closer else -v, (p, r, f1))
    return out


def phash_all_pairs(hashes: dict[str, str]) -> list[tuple[str, str, float]]:
    names = sorted(hashes)
    bits = np.array([[int(c, 16) >> k & 1 for c in hashes[n] for k in (3, 2, 1, 0)] for n in names])
    out = []
    for i in range(len(names)):
        d = (bits[i + 1 :] != bits[i]).sum(axis=1)
        for j in np.flatnonzero(d <= 24):
            out.append((names[i], names[i + 1 + j], float(d[j])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=1200)
    parser.add_argument("--sources", type=int, default=100, help="Tiles given 3 derivatives.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--peers-venv", type=Path, default=Path.home() / ".cache/lookalike-bench/fastdup-venv"
    )
    parser.add_argument(
        "--only", nargs="*", default=["lookalike", "lookalike-nv", "fastdup", "phash"]
    )
    parser.add_argument(
        "--keep", type=Path, help="Save the set's truth and each tool's pairs here."
    )
    args = parser.parse_args()
    python = peers_python(args.peers_venv)
    with tempfile.TemporaryDirectory(prefix="lookalike-peers-") as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        truth = build_set(folder, args.images, args.sources, args.seed)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "truth.json").write_text(json.dumps(truth, indent=0))
        by_tile: dict[str, list[str]] = {}
        for file, tile in truth.items():
            by_tile.setdefault(tile, []).append(file)
        same = {frozenset((a, b)) for fs in by_tile.values() for a in fs for b in fs if a < b}
        by_photo: dict[str, list[str]] = {}
        for file, tile in truth.items():
            by_photo.setdefault(tile.rsplit("@", 1)[0], []).append(file)
        junk = {
            frozenset((a, b))
            for fs in by_photo.values()
            for a in fs
            for b in fs
            if a < b and truth[a] != truth[b]
        }
        JUNK.update(junk)
        mp = np.mean([np.prod(Image.open(p).size) for p in sorted(folder.iterdir())[:50]]) / 1e6
        megabytes = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        print(
            f"{len(truth)} JPEGs (~{mp:.2f} MP, {megabytes:.0f} MB): "
            f"{len(truth) - 3 * args.sources} distinct tiles, {args.sources} of them with 3 "
            f"derivatives; {len(same)} same pairs, {len(junk)} pairs of two tiles of one "
            f"photo left out; {os.cpu_count()} cores",
            flush=True,
        )
        runs: dict[str, list[dict]] = {}
        found: dict[str, object] = {}
        order = list(args.only)
        for rnd in range(args.rounds):
            for tool in order if rnd % 2 == 0 else order[::-1]:
                work = Path(tempfile.mkdtemp(dir=tmp))
                load = os.getloadavg()[0]
                if tool == "lookalike":
                    r, pairs, found["lookalike-default"] = run_lookalike(folder, work)
                elif tool == "lookalike-nv":  # the scores alone: --no-verify
                    r, pairs, found["lookalike-nv-default"] = run_lookalike(folder, work, False)
                elif tool == "fastdup":
                    r, pairs = run_fastdup(python, folder, work)
                else:
                    r, pairs, hashes = run_phash(python, folder, work)
                    found["phash-hashes"] = hashes
                r["load"] = load
                runs.setdefault(tool, []).append(r)
                found[tool] = pairs
                if args.keep:
                    out = args.keep / f"{tool}-pairs.json"
                    out.write_text(
                        json.dumps(found[tool] if tool != "phash" else found["phash-hashes"])
                    )
                print(
                    f"round {rnd + 1} {tool:<10} wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s  "
                    f"peak {r['peak_mb']:5.0f} MB  load {load:4.1f}  {r.get('steps', '')}",
                    flush=True,
                )

        if args.keep:
            (args.keep / "runs.json").write_text(json.dumps(runs))
        print_table(runs, found, same, args.rounds)


def print_table(runs: dict, found: dict, same: set, rounds: int) -> None:
    """The table: each tool's mean wall and CPU time and peak memory over the rounds,
    and its precision, recall and F1 at its default and at its best threshold."""
    print(f"\n{'tool':<40}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'P':>7}{'R':>7}{'F1':>7}")
    print("-" * 86)
    rows = []
    if "lookalike" in found:
        pairs = found["lookalike"]
        from lookalike.analysis import DEFAULT_THRESHOLD

        rows.append(
            (
                f"lookalike default (centre >= {DEFAULT_THRESHOLD:g})",
                "lookalike",
                scored(found["lookalike-default"], same, lambda s: True),
            )
        )
        t, res = best(pairs, same)
        rows.append((f"  lookalike at its best threshold ({t:.3f})", None, res))
    if "lookalike-nv" in found:
        rows.append(
            (
                "lookalike --no-verify (scores alone)",
                "lookalike-nv",
                scored(found["lookalike-nv-default"], same, lambda s: True),
            )
        )
    if "fastdup" in found:
        pairs = found["fastdup"]
        rows.append(
            (
                "fastdup 2.54 (similarity >= 0.9)",
                "fastdup",
                scored(pairs, same, lambda s: s >= 0.9),
            )
        )
        rows.append(
            (
                "  fastdup at its dedup default (>= 0.96)",
                None,
                scored(pairs, same, lambda s: s >= 0.96),
            )
        )
        t, res = best(pairs, same)
        rows.append((f"  fastdup at its best threshold ({t:.3f})", None, res))
    if "phash" in found:
        rows.append(
            (
                "imagededup PHash (Hamming <= 10)",
                "phash",
                scored(found["phash"], same, lambda s: s <= 10),
            )
        )
        t, res = best(phash_all_pairs(found["phash-hashes"]), same, higher_is_closer=False)
        rows.append((f"  PHash at its best distance ({t:.0f})", None, res))
    for label, tool, (p, r, f1) in rows:
        if tool:
            wall = np.mean([x["wall"] for x in runs[tool]])
            cpu = np.mean([x["cpu"] for x in runs[tool]])
            peak = max(x["peak_mb"] for x in runs[tool])
            print(f"{label:<40}{wall:>8.1f}{cpu:>8.1f}{peak:>9.0f}{p:>7.3f}{r:>7.3f}{f1:>7.3f}")
        else:
            print(f"{label:<40}{'':>8}{'':>8}{'':>9}{p:>7.3f}{r:>7.3f}{f1:>7.3f}")
    for name in ("lookalike", "lookalike-nv"):
        if name not in runs or "fastdup" not in runs:
            continue
        lk = np.mean([x["wall"] for x in runs[name]])
        fd = np.mean([x["wall"] for x in runs["fastdup"]])
        lc = np.mean([x["cpu"] for x in runs[name]])
        fc = np.mean([x["cpu"] for x in runs["fastdup"]])
        print(
            f"\n{name} vs fastdup: {fd / lk:.2f}x faster in wall time, {fc / lc:.2f}x in "
            f"CPU time (means over {rounds} alternating rounds); load average "
            f"{np.mean([x['load'] for v in runs.values() for x in v]):.1f} at the starts"
        )


if __name__ == "__main__":
    main()
