"""A collection's own duplicate threshold, without labels.

Two kinds of evidence the collection makes itself:

- **true copies**: the scores of a sample of its own images against synthetic copies
  of them (:mod:`lookalike.copies`) — what a copy scores on *these* pictures;
- **its nearest neighbours**: the scores of a sample of its images against their k
  nearest other images. Most of these are distinct pictures, but not all: an image
  with copies in the collection has them among its nearest neighbours, and in a
  collection full of copies they can be half of the scores. So a plain high quantile
  of the neighbour scores would land among the collection's own duplicates. Instead,
  the distinct pictures' distribution (a normal on the Fisher scale ``atanh(score)``,
  whose upper tail reaches towards 1) is fitted only on the neighbour scores below the
  copies' lowest scores (their 2% quantile), where copies are rare, as a truncated
  normal. Its mass below that cut tells how many neighbour scores are distinct in all;
  the rest are copies, whatever their number.

The threshold maximises the expected F1: expected recall is the share of the synthetic
copies above it; expected precision is the share of the neighbour scores above it that
the distinct pictures' tail does not explain. Labelled pairs, when there are some, join
the evidence: "same" pairs as copies, "different" pairs as distinct pictures for certain
(they are fitted in full, so hard negatives lift the tail and the threshold).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lookalike.search import KnnIndex

__all__ = ["ThresholdEstimate", "auto_threshold", "neighbour_scores"]


@dataclass(frozen=True)
class ThresholdEstimate:
    """The threshold chosen from a collection's own evidence, with what it expects.

    Attributes
    ----------
    threshold : float
    precision, recall, f1 : float
        Expected at ``threshold`` under the fitted mixture (not measured on labels).
    share_copies : float
        Estimated share of the nearest-neighbour scores that are copies.
    copies : ndarray
        Scores of the images against their synthetic copies (and "same" labels).
    neighbours : ndarray
        Scores of the sampled images against their nearest neighbours.
    distinct : (float, float)
        Mean and standard deviation of the distinct pictures' component, on the Fisher
        scale ``atanh(score)``.
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    share_copies: float
    copies: np.ndarray = field(repr=False)
    neighbours: np.ndarray = field(repr=False)
    distinct: tuple[float, float] = (0.0, 1.0)
    scoring: str = ""
    n_labels: int = 0
    curve: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        labels = f", {self.n_labels} labelled pairs" if self.n_labels else ""
        return (
            f"threshold {self.threshold:.3f} (automatic, {self.scoring} scores): expected "
            f"precision {self.precision:.3f}, recall {self.recall:.3f}, F1 {self.f1:.3f}; "
            f"from {len(self.copies)} synthetic copies and {len(self.neighbours)} "
            f"nearest-neighbour scores ({self.share_copies:.1%} of them copies){labels}"
        )

    def distinct_density(self, s: np.ndarray) -> np.ndarray:
        """Density of the distinct pictures' component at scores ``s``."""
        return _fisher_normal(np.asarray(s, dtype=np.float64), *self.distinct)


def neighbour_scores(
    index: KnnIndex,
    vectors: np.ndarray,
    *,
    k: int = 10,
    sample: int = 2000,
    seed: int = 0,
    block: int = 256,
) -> np.ndarray:
    """The scores of ``sample`` random rows of ``vectors`` against their ``k`` nearest
    other rows, searched in ``index`` (an index over ``vectors``, cosine), ``block`` rows
    at a time; flattened.

    >>> from lookalike.search import FlatIndex
    >>> x = np.eye(3, dtype=np.float32)
    >>> neighbour_scores(FlatIndex.from_vectors(x), x, k=1).tolist()
    [0.0, 0.0, 0.0]
    """
    n = len(vectors)
    k = min(k, n - 1)
    if k < 1:
        return np.zeros(0, np.float32)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, min(n, sample), replace=False))
    out = []
    for s in range(0, len(rows), block):
        q_rows = rows[s : s + block]
        scores, ids = index.search(np.asarray(vectors[q_rows], dtype=np.float32), k + 1)
        other = (ids >= 0) & (ids != q_rows[:, None])  # not itself (nor a missing hit)
        order = np.argsort(~other, axis=1, kind="stable")[:, :k]
        out.append(np.take_along_axis(scores, order, axis=1).ravel())
    return np.concatenate(out)

def _fisher_normal(s: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """A normal density on ``atanh(s)``, expressed per unit of ``s``: distinct pictures'
    scores have a long upper tail towards 1, which the Fisher scale stretches out."""
    s = np.clip(s, -0.999, 0.999)
    z = np.arctanh(s)
    return np.exp(-0.5 * ((z - mean) / sd) ** 2) / (sd * np.sqrt(2 * np.pi)) / (1 - s**2)


def auto_threshold(
    copy_scores: np.ndarray,
    neighbours: np.ndarray,
    *,
    same_scores: np.ndarray | None = None,
    different_scores: np.ndarray | None = None,
    scoring: str = "",
    min_share: float = 0.002,
    cut_quantile: float = 0.02,
) -> ThresholdEstimate:
    """The threshold that maximises the expected F1, from the scores of true copies and
    the nearest-neighbour scores (see the module's docstring).

    Parameters
    ----------
    copy_scores : ndarray
        Scores of images against synthetic copies of themselves.
    neighbours : ndarray
        Scores of images against their nearest neighbours (a mixture of copies and
        distinct pictures).
    same_scores, different_scores : ndarray, optional
        Scores of pairs labelled same / different: "same" ones join ``copy_scores``,
        "different" ones are fitted as distinct pictures for certain.
    min_share : float
        The lowest share of copies assumed among the neighbours (a collection without
        any copy still needs a finite threshold).
    cut_quantile : float
        The distinct pictures' component is fitted on the neighbour scores below this
        quantile of the copies' scores.

    Raises
    ------
    ValueError
        Fewer than 5 copy scores or 20 neighbour scores.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> copies = rng.normal(0.9, 0.04, 200).clip(-1, 0.999)
    >>> nn = np.r_[rng.normal(0.55, 0.07, 1800), rng.normal(0.9, 0.04, 200)].clip(-1, 0.999)
    >>> est = auto_threshold(copies, nn)
    >>> 0.7 < est.threshold < 0.85, round(est.share_copies, 1)
    (True, 0.1)
    """
    from scipy.optimize import minimize
    from scipy.stats import norm

    copies = np.asarray(copy_scores, dtype=np.float64)
    same = np.zeros(0) if same_scores is None else np.asarray(same_scores, dtype=np.float64)
    diff = np.zeros(0) if different_scores is None else np.asarray(different_scores, np.float64)
    pool = np.asarray(neighbours, dtype=np.float64)
    if len(copies) < 5 or len(pool) < 20:
        raise ValueError(
            f"Too little evidence for a threshold: {len(copies)} copy scores (need 5) and "
            f"{len(pool)} neighbour scores (need 20)."
        )
    positives = np.r_[copies, same]
    # Below the copies' low quantile the neighbour scores are (almost) all distinct
    # pictures: the distinct component is fitted there only (a normal on the Fisher
    # scale, truncated at the cut), so the collection's own copies, however many,
    # cannot pull it up. Its mass below the cut then says how many neighbour scores
    # are distinct in all, and the rest are copies.
    cut = float(np.quantile(positives, cut_quantile))
    z_cut = np.arctanh(min(cut, 0.999))
    z_low = np.arctanh(np.clip(pool[pool < cut], -0.999, 0.999))
    z_diff = np.arctanh(np.clip(diff, -0.999, 0.999))
    if len(z_low) < 10:
        raise ValueError(
            f"Too few nearest-neighbour scores below the copies' scores ({len(z_low)} below "
            f"{cut:.3f}): the collection looks like copies only; give a threshold."
        )

    def nll(theta: np.ndarray) -> float:
        mean, sd = theta[0], np.exp(theta[1])
        low = norm.logpdf(z_low, mean, sd).sum() - len(z_low) * norm.logcdf(z_cut, mean, sd)
        return -(low + norm.logpdf(z_diff, mean, sd).sum())

    start = np.array([np.median(z_low), np.log(max(np.std(z_low), 1e-3))])
    fit = minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-7})
    mean, sd = float(fit.x[0]), float(np.exp(fit.x[1]))
    n_distinct = len(z_low) / max(norm.cdf(z_cut, mean, sd), 1e-12)
    pi = float(np.clip(1 - n_distinct / len(pool), min_share, 0.999))
    grid = np.round(np.arange(0.5, 0.995, 0.0025), 4)
    # recall: the share of true copies above t (the synthetic copies and "same" labels)
    recall = np.array([np.mean(positives >= t) for t in grid])
    # precision: of the neighbour scores above t, those the distinct component does not
    # explain are copies
    above = np.array([np.mean(pool >= t) for t in grid])
    fp = (1 - pi) * norm.sf((np.arctanh(grid) - mean) / sd)
    tp = np.maximum(above - fp, pi * recall * 1e-3)
    precision = tp / (tp + fp)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall + 1e-300), 0)
    tied = np.flatnonzero(f1 >= f1.max() - 1e-6)
    best = int(tied[len(tied) // 2])  # the middle of a plateau: farthest from both sides
    return ThresholdEstimate(
        threshold=float(grid[best]),
        precision=float(precision[best]),
        recall=float(recall[best]),
        f1=float(f1[best]),
        share_copies=pi,
        copies=positives.astype(np.float32),
        neighbours=pool.astype(np.float32),
        distinct=(mean, sd),
        scoring=scoring,
        n_labels=len(same) + len(diff),
        curve={"threshold": grid, "precision": precision, "recall": recall, "f1": f1},
    )
