"""Which input normalisation suits the EfficientNet-Lite0 weights: ImageNet mean/std or
(x - 127) / 128? The weights' package does not say, so measure neighbour quality on real
photos that install offline, with each normalisation, in one run.

1. ImageNet classification (the model's own head) of labelled photos and crops of them.
2. Near-duplicate retrieval of synthetic derivatives (crop, JPEG, rotation, colour shift,
   greyscale, border, blur, flip) of ~70 real photos among the originals: recall@1 and the
   margin cos(query, original) - max cos(query, other original).
3. Resize families: the Plasma wallpapers shipped in many sizes (stretched resizes of one
   master); each image queries all the others plus the other photos: recall@1 and mAP.

Run: python bench/preprocessing.py   (needs scikit-image, Debian mate-backgrounds and
plasma-workspace-wallpapers; two to four minutes on two cores)
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps
from skimage import data

from lookalike.models.efficientnet_lite import feature_extractor, load_network

SIZE = 224
NORMALISATIONS = {
    "imagenet mean/std": ((123.675, 116.28, 103.53), (58.395, 57.12, 57.375)),
    "(x-127)/128": ((127.0,) * 3, (128.0,) * 3),
}
MATE = Path("/usr/share/backgrounds/mate")
PLASMA = Path("/usr/share/wallpapers")
SKIMAGE_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "retina")
# Photo -> acceptable ImageNet classes.
LABELS = {
    "chelsea": {281, 282, 283, 284, 285},  # tabby, tiger cat, Persian, Siamese, Egyptian cat
    "coffee": {967, 968, 504},  # espresso, cup, coffee mug
    "motorcycle_left": {670, 665},  # motor scooter, moped
    "rocket": {812, 657, 744},  # space shuttle, missile, projectile
    "LadyBird": {301},  # ladybug
    "YellowFlower": {985},  # daisy
}


def squash(img: Image.Image) -> np.ndarray:
    """Resize the whole image to SIZE x SIZE, as lookalike's imaging layer does."""
    img = img.convert("RGB")
    return np.asarray(img.resize((SIZE, SIZE), Image.BILINEAR, reducing_gap=3.0))


def open_image(path: Path) -> Image.Image:
    img = Image.open(path)
    img.draft("RGB", (SIZE * 4, SIZE * 4))  # JPEG: decode at a reduced size
    return img.convert("RGB")


def photos() -> dict[str, Image.Image]:
    """Originals: skimage photos, MATE nature photos and Elephants, one image of each
    Plasma wallpaper. (The other MATE PNGs draw in their alpha channel only, or are colour
    variants of one design.)"""
    out = {n: Image.fromarray(getattr(data, n)()) for n in SKIMAGE_PHOTOS}
    out["motorcycle_left"] = Image.open(Path(data.data_dir) / "motorcycle_left.png")
    for path in [*sorted(MATE.glob("nature/*.jpg")), MATE / "abstract" / "Elephants.jpg"]:
        out[path.stem] = open_image(path)
    for folder in sorted(PLASMA.glob("*/contents/images")):
        first = sorted(folder.iterdir())[0]
        out["plasma/" + folder.parent.parent.name] = open_image(first)
    return {k: v.convert("RGB") for k, v in out.items()}


def derivatives(img: Image.Image) -> dict[str, Image.Image]:
    w, h = img.size
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG", quality=25)
    pad = max(w, h) // 10
    return {
        "crop 80%": img.crop((w // 10, h // 10, w - w // 10, h - h // 10)),
        "crop 60% off-centre": img.crop((0, h // 5, int(w * 0.6), h // 5 + int(h * 0.6))),
        "jpeg q25": Image.open(jpeg),
        "rotate 7deg": img.rotate(7, resample=Image.BILINEAR),
        "colour shift": ImageEnhance.Color(ImageEnhance.Brightness(img).enhance(1.3)).enhance(0.6),
        "greyscale": ImageOps.grayscale(img),
        "border 10%": ImageOps.expand(img, border=pad, fill=(255, 255, 255)),
        "blur (down to 64 px)": img.resize((64, 64 * h // w or 1)),
        "mirror": ImageOps.mirror(img),
    }


def plasma_families() -> tuple[np.ndarray, np.ndarray]:
    arrays, family = [], []
    folders = [f for f in sorted(PLASMA.glob("*/contents/images")) if len(list(f.iterdir())) > 1]
    for i, folder in enumerate(folders):
        for path in sorted(folder.iterdir()):
            arrays.append(squash(open_image(path)))
            family.append(i)
    return np.stack(arrays), np.array(family)


def embed(module, images: np.ndarray, batch: int = 32) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for start in range(0, len(images), batch):
            out.append(module(torch.from_numpy(images[start : start + batch].copy())).numpy())
    x = np.concatenate(out)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def main() -> None:
    import torch

    t0 = time.perf_counter()
    net = load_network()
    originals = photos()
    names = list(originals)
    orig = np.stack([squash(originals[n]) for n in names])
    queries, query_of, query_kind = [], [], []
    for i, n in enumerate(names):
        for kind, img in derivatives(originals[n]).items():
            queries.append(squash(img))
            query_of.append(i)
            query_kind.append(kind)
    queries, query_of, query_kind = np.stack(queries), np.array(query_of), np.array(query_kind)
    cls_images, cls_labels = [], []
    for n, labels in LABELS.items():
        img = originals[n]
        w, h = img.size
        crops = [img] + [
            img.crop((x, y, x + w * 3 // 4, y + h * 3 // 4))
            for x, y in ((0, 0), (w // 4, 0), (0, h // 4), (w // 4, h // 4), (w // 8, h // 8))
        ]
        cls_images += [squash(c) for c in crops]
        cls_labels += [labels] * len(crops)
    cls_images = np.stack(cls_images)
    fam_images, family = plasma_families()
    print(
        f"{len(names)} originals, {len(queries)} derivatives, {len(cls_images)} labelled "
        f"images, {len(fam_images)} images in {family.max() + 1} resize families "
        f"(decoded in {time.perf_counter() - t0:.0f} s)\n"
    )

    rows: dict[str, dict[str, str]] = {}
    for label, (mean, std) in NORMALISATIONS.items():
        module = feature_extractor(net, mean=mean, std=std)
        r = rows[label] = {}
        # 1. classification with the model's head
        with torch.inference_mode():
            x = torch.from_numpy(cls_images.copy()).permute(0, 3, 1, 2).float()
            x = (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
            prob = net(x).softmax(1).numpy()
        top5 = np.argsort(-prob, axis=1)[:, :5]
        pairs = list(zip(top5, prob, cls_labels, strict=True))
        r["classification top-1"] = f"{np.mean([t[0] in s for t, _, s in pairs]):.3f}"
        r["classification top-5"] = f"{np.mean([bool(set(t) & s) for t, _, s in pairs]):.3f}"
        r["classification mean p(true)"] = f"{np.mean([p[list(s)].sum() for _, p, s in pairs]):.3f}"
        # 2. derivatives -> originals
        g, q = embed(module, orig), embed(module, queries)
        sim = q @ g.T
        hit = sim.argmax(1) == query_of
        own = sim[np.arange(len(q)), query_of]
        sim[np.arange(len(q)), query_of] = -np.inf
        margin = own - sim.max(1)
        r["derivatives recall@1"] = f"{hit.mean():.3f}"
        r["derivatives mean margin"] = f"{margin.mean():.3f}"
        for kind in dict.fromkeys(query_kind):
            m = query_kind == kind
            r[f"  {kind}: recall@1 / margin"] = f"{hit[m].mean():.3f} / {margin[m].mean():+.3f}"
        # 3. resize families among the other photos
        others = [i for i, n in enumerate(names) if not n.startswith("plasma/")]
        f = embed(module, fam_images)
        gallery = np.concatenate([f, g[others]])
        gal_family = np.concatenate([family, np.full(len(others), -1)])
        sim = f @ gallery.T
        np.fill_diagonal(sim, -np.inf)
        order = np.argsort(-sim, axis=1)[:, :-1]  # drop self (ranked last)
        rel = gal_family[order] == family[:, None]
        r["families recall@1"] = f"{rel[:, 0].mean():.3f}"
        precision = np.cumsum(rel, axis=1) / np.arange(1, rel.shape[1] + 1)
        ap = (precision * rel).sum(1) / rel.sum(1)
        r["families mAP"] = f"{ap.mean():.3f}"
        np.fill_diagonal(sim, np.inf)  # self never counts as "within"
        within = [sim[i, gal_family == family[i]].min() for i in range(len(f))]
        between = [sim[i, gal_family != family[i]].max() for i in range(len(f))]
        gap = np.array(within) - np.array(between)
        r["families mean(min cos within - max cos between)"] = f"{gap.mean():.3f}"

    labels = list(NORMALISATIONS)
    print(f"{'':48s}" + "".join(f"{lab:>20s}" for lab in labels))
    for key in rows[labels[0]]:
        print(f"{key:48s}" + "".join(f"{rows[lab][key]:>20s}" for lab in labels))
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
