"""The evidence behind an automatic duplicate threshold: the scores of true copies and
of nearest neighbours, the mixture fitted to them, and the threshold chosen."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["threshold_distributions"]


def threshold_distributions(estimate: Any) -> Figure:
    """Histograms of the copies' scores and of the nearest-neighbour scores, the fitted
    distinct-pictures component, and the chosen threshold (an
    :class:`lookalike.analysis.ThresholdEstimate`)."""
    from scipy.stats import gaussian_kde

    fig = Figure(figsize=(7.5, 4.2))
    ax = fig.subplots()
    lo = float(min(estimate.neighbours.min(), estimate.copies.min(), 0.3))
    bins = np.linspace(lo, 1.0, 60)
    ax.hist(
        estimate.neighbours,
        bins=bins,
        density=True,
        alpha=0.45,
        color="tab:blue",
        label=f"nearest neighbours ({len(estimate.neighbours)} scores)",
    )
    ax.hist(
        estimate.copies,
        bins=bins,
        density=True,
        alpha=0.45,
        color="tab:orange",
        label=f"synthetic copies ({len(estimate.copies)} scores)",
    )
    s = np.linspace(lo, 0.999, 400)
    pi = estimate.share_copies
    ax.plot(
        s,
        (1 - pi) * estimate.distinct_density(s),
        color="tab:blue",
        label=f"fitted: distinct pictures ({1 - pi:.1%})",
    )
    if len(np.unique(estimate.copies)) > 1:
        ax.plot(
            s,
            pi * gaussian_kde(estimate.copies)(s),
            color="tab:orange",
            label=f"fitted: copies among neighbours ({pi:.1%})",
        )
    ax.axvline(estimate.threshold, color="black", linestyle="--")
    ax.text(
        estimate.threshold,
        ax.get_ylim()[1] * 0.95,
        f" {estimate.threshold:.3f}\n P {estimate.precision:.2f}\n R {estimate.recall:.2f}",
        va="top",
        fontsize=8,
    )
    ax.set_xlabel(f"{estimate.scoring} score")
    ax.set_ylabel("density")
    ax.set_title("Duplicate threshold from the collection's own images", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig
