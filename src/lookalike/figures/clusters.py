"""Figures for clusters: the k-selection curves with their elbow."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from lookalike.analysis import KScan

__all__ = ["elbow_figure"]


def elbow_figure(scan: KScan, *, title: str | None = None) -> Figure:
    """Inertia, distortion and silhouette against k, the kneedle elbow marked on each.

    Returns a :class:`matplotlib.figure.Figure`; no global pyplot state is touched.
    """
    fig = Figure(figsize=(12, 3.6))
    axes = fig.subplots(1, 3)
    curves = (
        ("inertia (total cosine deviation)", scan.inertia, "C0"),
        ("distortion (mean squared deviation)", scan.distortion, "C1"),
        ("silhouette (cosine)", scan.silhouette, "C2"),
    )
    for ax, (label, values, color) in zip(axes, curves, strict=True):
        ax.plot(scan.ks, values, "o-", color=color, markersize=3, linewidth=1.2)
        ax.set_xlabel("k (number of clusters)")
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
        if scan.elbow is not None:
            ax.axvline(scan.elbow, color="0.3", linestyle="--", linewidth=1)
            at = int(np.flatnonzero(scan.ks == scan.elbow)[0])
            if np.isfinite(values[at]):
                ax.plot([scan.elbow], [values[at]], "o", color="black", markersize=7)
    if scan.elbow is not None:
        axes[0].annotate(
            f"elbow: k = {scan.elbow}",
            xy=(0.98, 0.95),
            xycoords="axes fraction",
            ha="right",
            va="top",
            fontsize=9,
        )
    fig.suptitle(title or "Choosing k: k-medoids on cosine distance", fontsize=11)
    fig.tight_layout()
    return fig
