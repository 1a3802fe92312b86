"""Near-duplicates of a collection: its pairs above a threshold and its duplicate sets,
as one result (:class:`Duplicates`) with the ids, uris and how they were found. The
scores are in :mod:`~lookalike.analysis.duplicate_scores`, the pairs in
:mod:`~lookalike.analysis.duplicate_pairs`, the sets in
:mod:`~lookalike.analysis.duplicate_sets`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lookalike.analysis._display import html_table, name_of, text_table
from lookalike.analysis.duplicate_pairs import Pairs, near_duplicate_pairs
from lookalike.analysis.duplicate_sets import group_pairs
from lookalike.matching import Geometry
from lookalike.search import FaissIVFIndex, FlatIndex, KnnIndex, range_recall

__all__ = ["GEOMETRY_BAND", "GEOMETRY_MARGIN", "Duplicates", "near_duplicates"]

# The geometric check looks at the pairs scoring from threshold - GEOMETRY_MARGIN (a
# pair one picture of which maps inside the other is kept from there) up to threshold +
# GEOMETRY_BAND (higher, pairs are kept unchecked: no partial overlap scored that high on
# the tuning split, and each check costs about 3 ms of CPU). Tuned (with
# matching.MIN_INLIERS and MIN_SHARE) on the tuning split of bench/duplicates_transfer.py,
# seed 0; see docs/duplicates.md.
GEOMETRY_MARGIN = 0.02
GEOMETRY_BAND = 0.12


@dataclass(frozen=True)
class Duplicates:
    """Near-duplicate pairs and duplicate sets of a collection.

    Attributes
    ----------
    pairs : DataFrame
        Columns ``a, b, score`` (image ids, cosine similarity), best first, plus ``uri_a``
        and ``uri_b``; with the geometric check, ``verified`` (pandas ``boolean``): True
        where one picture was seen to map inside the other, False where the check gave
        no verdict, missing where it did not look (scores above its band).
    groups : list of list of str
        Duplicate sets (image ids), largest first.
    threshold : float
    model : str
    method : str
        ``"exact"`` or the approximate index used.
    recall : float or None
        Recall of the approximate search against the exact one on a sample.
    """

    pairs: Any
    groups: list[list[str]]
    threshold: float
    model: str
    method: str = "exact"
    recall: float | None = None
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.pairs)

    def to_frame(self):
        """The pairs as a DataFrame (a, b, score, uri_a, uri_b)."""
        return self.pairs

    def groups_frame(self):
        """One row per image in a duplicate set: group, id."""
        import pandas as pd

        rows = [(g, image_id) for g, ids in enumerate(self.groups, 1) for image_id in ids]
        return pd.DataFrame(rows, columns=["group", "id"])

    def summary(self) -> str:
        """One line: how many pairs and sets, at which threshold, how they were found."""
        how = self.method + (f", recall on a sample {self.recall:.3f}" if self.recall else "")
        return (
            f"{len(self.pairs)} near-duplicate pairs in {len(self.groups)} sets "
            f"(score >= {self.threshold:g}, {self.model}, {how})."
        )

    def __str__(self) -> str:
        lines = [self.summary()]
        lines += [f"  note: {n}" for n in self.notes]
        uris = {}  # name the members by file when the pairs carry their uris
        if "uri_a" in self.pairs:
            uris = dict(zip(self.pairs["a"], self.pairs["uri_a"], strict=True))
            uris.update(zip(self.pairs["b"], self.pairs["uri_b"], strict=True))
        for g, ids in enumerate(self.groups[:20], 1):
            names = [name_of(uris.get(i, ""), i) for i in ids[:8]]
            lines.append(
                f"  set {g} ({len(ids)}): " + ", ".join(names) + (" ..." if len(ids) > 8 else "")
            )
        if len(self.groups) > 20:
            lines.append(f"  ... {len(self.groups) - 20} more sets")
        return "\n".join(lines)

    def _rows(self) -> list[tuple]:
        import pandas as pd

        p = self.pairs
        uri_a = p["uri_a"] if "uri_a" in p else [""] * len(p)
        uri_b = p["uri_b"] if "uri_b" in p else [""] * len(p)
        sets = p["set"] if "set" in p else [""] * len(p)
        copies = p["copy"] if "copy" in p else [""] * len(p)
        return [
            (
                "" if pd.isna(s) else int(s),
                min(1.0, float(sc)),
                name_of(ua, a, 26),
                name_of(ub, b, 26),
                f"copy ({c})" if c else "",
            )
            for s, sc, a, b, ua, ub, c in zip(
                sets, p["score"], p["a"], p["b"], uri_a, uri_b, copies, strict=True
            )
        ]

    def __repr__(self) -> str:
        return text_table(
            self.summary(), ("set", "score", "a", "b", ""), self._rows(), more="pairs"
        )

    def _repr_html_(self) -> str:
        return html_table(
            self.summary(), ("set", "score", "a", "b", ""), self._rows(), more="pairs"
        )


def near_duplicates(
    index: KnnIndex,
    vectors: np.ndarray,
    ids: Sequence[str],
    *,
    threshold: float,
    strict: bool = False,
    uris: Sequence[str] | None = None,
    model: str = "",
    scoring: str = "centre",
    notes: Sequence[str] = (),
    candidate_margin: float = 0.05,
    recall_sample: int = 500,
    check: Callable[[np.ndarray, np.ndarray], Sequence[Geometry]] | None = None,
) -> Duplicates:
    """Near-duplicate pairs and sets of a collection's scored ``vectors`` (as
    :func:`scored_vectors` gives them for ``scoring``, the name the result carries),
    searched through ``index``, an index over them (the caller gets it from
    ``search.choose_index(vectors, task="pairs")``).

    An exact index (``FlatIndex``) means the exact blockwise self-join
    (``search.pairs_above``); any other proposes candidates at ``threshold -
    candidate_margin``, every candidate is re-scored exactly, and the recall against
    exact search is measured on ``recall_sample`` random images. ``notes`` are kept in
    the result.

    ``check``, if given, gives the :class:`~lookalike.matching.Geometry` of candidate
    pairs (rows ``i``, ``j``): pairs are then searched from ``threshold -
    GEOMETRY_MARGIN``, and those scoring below ``threshold + GEOMETRY_BAND`` are
    checked: a pair whose pictures overlap only in part (``partial``) is dropped, a pair
    one picture of which maps inside the other (``copy``) is kept from ``threshold -
    GEOMETRY_MARGIN``, and a pair without enough matches for a verdict (flat or blurred
    pictures) is kept from ``threshold``, as without the check. Pairs scoring higher
    are kept unchecked.

    Examples
    --------
    >>> from lookalike.search import FlatIndex
    >>> x = np.array([[1, 0], [0.96, 0.28], [0, 1]], dtype=np.float32)
    >>> d = near_duplicates(FlatIndex.from_vectors(x), x, ["a", "b", "c"], threshold=0.9)
    >>> d.groups, d.pairs[["a", "b"]].values.tolist()
    ([['a', 'b']], [['a', 'b']])
    """
    import pandas as pd

    recall = None
    low = max(-1.0, threshold - GEOMETRY_MARGIN) if check is not None else threshold
    if isinstance(index, FlatIndex):
        pairs = near_duplicate_pairs(vectors, threshold=low)
        method = "exact"
    else:
        t_cand = max(-1.0, low - candidate_margin)
        pairs = near_duplicate_pairs(
            vectors, threshold=low, index=index, candidate_threshold=t_cand
        )
        recall = range_recall(index, vectors, low, candidate_threshold=t_cand, sample=recall_sample)
        method = f"approximate: {_index_name(index)}"
    method += f", {scoring} scores"
    verified = None
    if check is not None:
        pairs, verified, note = _checked(pairs, check, threshold)
        notes = [*notes, note] if note else list(notes)
    groups = group_pairs(len(vectors), pairs, strict=strict, vectors=vectors, threshold=threshold)
    ids = np.asarray(ids, dtype=object)
    frame = pd.DataFrame({"a": ids[pairs.i], "b": ids[pairs.j], "score": pairs.score})
    if verified is not None:
        frame["verified"] = pd.array(verified, dtype="boolean")
    if uris is not None:
        uris = np.asarray(uris, dtype=object)
        frame["uri_a"], frame["uri_b"] = uris[pairs.i], uris[pairs.j]
    return Duplicates(
        pairs=frame,
        groups=[[str(ids[m]) for m in g] for g in groups],
        threshold=threshold,
        model=model,
        method=method,
        recall=recall,
        notes=list(notes),
    )


def _checked(
    pairs: Pairs, check: Callable[[np.ndarray, np.ndarray], Sequence[Geometry]], threshold: float
) -> tuple[Pairs, np.ndarray, str]:
    """The pairs kept by the geometric check (see :func:`near_duplicates`), whether each
    kept pair was verified (None where it was not checked), and a note of what the check
    changed ("" when no pair was in the band)."""
    band = np.flatnonzero(pairs.score < threshold + GEOMETRY_BAND)
    found = list(check(pairs.i[band], pairs.j[band])) if len(band) else []
    copy = np.zeros(len(pairs), dtype=bool)
    partial = np.zeros(len(pairs), dtype=bool)
    copy[band] = [g.copy for g in found]
    partial[band] = [g.partial for g in found]
    above = pairs.score >= threshold
    keep = copy | (above & ~partial)
    unknown = int((above[band] & ~copy[band] & ~partial[band]).sum())
    note = "" if not len(band) else (
        f"geometric check of {len(band)} pairs scoring below {threshold + GEOMETRY_BAND:g}: "
        f"{int((above & partial).sum())} dropped (the pictures overlap only in part), "
        f"{int((copy & ~above).sum())} kept below {threshold:g} (one maps inside the "
        f"other), {unknown} without enough matching points for a verdict"
    )
    verified = np.full(len(pairs), None, dtype=object)
    verified[band] = copy[band]
    return Pairs(pairs.i[keep], pairs.j[keep], pairs.score[keep]), verified[keep], note


def _index_name(index: KnnIndex) -> str:
    """How an approximate index is named in a result's ``method``."""
    if isinstance(index, FaissIVFIndex):
        return f"faiss IVF{index.nlist} PCA{index.pca} SQ8, nprobe {index.nprobe}"
    return repr(index)
