"""Pairs of images side by side: one pair with its score, and a contact sheet of pairs
sampled per similarity band (to choose a threshold by looking)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.figure import Figure
from PIL import Image

__all__ = ["band_rows", "pair_figure", "threshold_bands"]

Pair = tuple[Image.Image, Image.Image, str]


def pair_figure(a: Image.Image, b: Image.Image, *, captions=("", ""), title: str = "") -> Figure:
    """Two images side by side with a caption under each and a title (the score)."""
    fig = Figure(figsize=(6.4, 3.6))
    axes = fig.subplots(1, 2)
    for ax, image, caption in zip(axes, (a, b), captions, strict=True):
        ax.imshow(image)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(caption, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def threshold_bands(
    rows: Sequence[tuple[str, Sequence[Pair]]],
    *,
    per_row: int | None = None,
    cell_inches: float = 1.6,
    title: str | None = None,
) -> Figure:
    """A contact sheet: one row per similarity band (its label on the left), each row a
    few pairs (two images and the pair's score under them).

    Parameters
    ----------
    rows : list of (label, list of (image_a, image_b, caption))
    per_row : int, optional
        Pairs per row (default: the longest row).
    """
    per_row = per_row or max([len(p) for _, p in rows] + [1])
    nrows, ncols = max(len(rows), 1), 2 * per_row
    fig = Figure(figsize=(cell_inches * ncols + 1.0, cell_inches * nrows + 0.6))
    grid = fig.add_gridspec(nrows, ncols, wspace=0.05, hspace=0.35)
    for r, (label, pairs) in enumerate(rows):
        for c in range(per_row):
            for side in range(2):
                ax = fig.add_subplot(grid[r, 2 * c + side])
                ax.set_xticks([])
                ax.set_yticks([])
                if c == 0 and side == 0:
                    ax.set_ylabel(label, fontsize=9, rotation=0, ha="right", va="center")
                if c >= len(pairs):
                    for spine in ax.spines.values():
                        spine.set_visible(False)
                    if c == 0 and side == 0:
                        ax.text(0.05, 0.5, "no pair in this band", fontsize=8, va="center")
                    continue
                ax.imshow(pairs[c][side])
                for spine in ax.spines.values():
                    spine.set_edgecolor("0.6" if side == 0 else "0.3")
                if side == 1:  # the caption sits under the pair, centred on its gap
                    ax.set_xlabel(pairs[c][2], fontsize=8, x=0.0, ha="center")
    fig.suptitle(title or "Pairs sampled per similarity band", fontsize=11)
    fig.subplots_adjust(left=0.09, right=0.99, top=1 - 0.5 / (cell_inches * nrows + 0.6))
    return fig


def band_rows(
    sampled: Sequence[tuple[float, float, Any]],
    ids: Sequence[str],
    thumbnail: Callable[[str], Image.Image],
) -> list[tuple[str, list[Pair]]]:
    """The ``rows`` of :func:`threshold_bands` from the bands of
    :func:`lookalike.analysis.sample_band_pairs` (``(low, high, pairs)``, the pairs as
    vector rows into ``ids``), highest band first: each pair's two images
    (``thumbnail(id)``) and its score."""
    return [
        (
            f"{lo:.2f}-{hi:.2f}",
            [
                (thumbnail(ids[i]), thumbnail(ids[j]), f"{s:.3f}")
                for i, j, s in zip(*p, strict=True)
            ],
        )
        for lo, hi, p in reversed(sampled)
    ]
