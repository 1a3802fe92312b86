"""Choosing a similarity threshold from pairs labelled same / different."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lookalike.analysis._display import html_table

__all__ = ["Calibration", "calibrate", "precision_recall"]


@dataclass(frozen=True)
class Calibration:
    """The threshold chosen from labelled pairs, and how well it separates them.

    ``score >= threshold`` means "same image". ``curve`` holds, for every candidate
    threshold, the precision, recall and F1 on the labelled pairs.
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    n_same: int
    n_different: int
    criterion: str
    curve: dict[str, np.ndarray] = field(repr=False)

    def to_frame(self):
        """The precision-recall curve as a DataFrame: threshold, precision, recall, f1
        (one row per candidate threshold, highest first)."""
        import pandas as pd

        return pd.DataFrame({k: np.asarray(v) for k, v in self.curve.items()})

    def __repr__(self) -> str:
        return "Calibration: " + str(self)

    def _repr_html_(self) -> str:
        rows = [
            ("threshold", f"{self.threshold:.4f} ({self.criterion})"),
            ("precision", f"{self.precision:.3f}"),
            ("recall", f"{self.recall:.3f}"),
            ("F1", f"{self.f1:.3f}"),
            ("labelled pairs", f"{self.n_same} same, {self.n_different} different"),
        ]
        return html_table("Calibration", ("", ""), rows)

    def __str__(self) -> str:
        return (
            f"threshold {self.threshold:.4f} ({self.criterion}): precision "
            f"{self.precision:.3f}, recall {self.recall:.3f}, F1 {self.f1:.3f} on "
            f"{self.n_same} same and {self.n_different} different pairs"
        )


def precision_recall(scores: np.ndarray, same: np.ndarray, threshold: float):
    """(precision, recall, F1) of ``scores >= threshold`` against the labels ``same``.

    >>> precision_recall(np.array([0.9, 0.8, 0.7]), np.array([True, False, True]), 0.75)
    (0.5, 0.5, 0.5)
    """
    pred = np.asarray(scores) >= threshold
    same = np.asarray(same, dtype=bool)
    tp = int(np.sum(pred & same))
    precision = tp / max(int(pred.sum()), 1) if pred.any() else 1.0
    recall = tp / max(int(same.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def calibrate(
    scores: np.ndarray, same: np.ndarray, *, target_precision: float | None = None
) -> Calibration:
    """The threshold that maximises F1 on labelled pairs (or, with
    ``target_precision``, the lowest threshold whose precision reaches it).

    Parameters
    ----------
    scores : ndarray of shape (n_pairs,)
        Similarity of each labelled pair.
    same : ndarray of shape (n_pairs,), bool
        True for "same image", False for "different".
    target_precision : float, optional

    Returns
    -------
    Calibration
        The threshold lies halfway between the lowest score kept and the next score
        below it, so it does not sit on a labelled pair.

    Raises
    ------
    ValueError
        No "same" or no "different" pair, or no threshold reaches the precision.

    Examples
    --------
    >>> c = calibrate(np.array([0.99, 0.97, 0.93, 0.91, 0.6]),
    ...               np.array([True, True, False, True, False]))
    >>> round(c.threshold, 2), round(c.f1, 3)
    (0.76, 0.857)
    >>> round(calibrate(np.array([0.99, 0.97, 0.93, 0.91, 0.6]),
    ...                 np.array([True, True, False, True, False]),
    ...                 target_precision=1.0).threshold, 2)
    0.95
    """
    scores = np.asarray(scores, dtype=np.float64)
    same = np.asarray(same, dtype=bool)
    n_same, n_diff = int(same.sum()), int((~same).sum())
    if n_same == 0 or n_diff == 0:
        raise ValueError(
            f"Calibration needs pairs labelled 'same' and 'different'; got {n_same} same "
            f"and {n_diff} different."
        )
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], same[order]
    last = np.r_[s[1:] != s[:-1], True]  # the last position of each distinct score
    tp = np.cumsum(y)[last]
    kept = np.flatnonzero(last) + 1
    thresholds = s[last]
    precision = tp / kept
    recall = tp / n_same
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(tp > 0, 2 * precision * recall / (precision + recall), 0.0)
    if target_precision is None:
        best = int(np.argmax(f1))  # the highest threshold among ties
        criterion = "max F1"
    else:
        ok = np.flatnonzero(precision >= target_precision)
        if len(ok) == 0:
            raise ValueError(
                f"No threshold reaches precision {target_precision:g} on these labels "
                f"(best is {precision.max():.3f})."
            )
        best = int(ok[-1])
        criterion = f"precision >= {target_precision:g}"
    below = thresholds[best + 1] if best + 1 < len(thresholds) else thresholds[best]
    threshold = float((thresholds[best] + below) / 2)
    curve = {"threshold": thresholds, "precision": precision, "recall": recall, "f1": f1}
    return Calibration(
        threshold=threshold,
        precision=float(precision[best]),
        recall=float(recall[best]),
        f1=float(f1[best]),
        n_same=n_same,
        n_different=n_diff,
        criterion=criterion,
        curve=curve,
    )
