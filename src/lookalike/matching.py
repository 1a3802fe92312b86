"""Local features and geometry: does one picture map onto the other?

A copy (a crop, a re-scan, a plate in a page, a captioned or warped copy) is a planar
transform of its original, so a homography fitted to matched key points maps the frame
of one picture (almost) wholly inside the other. Two overlapping views of one scene map
onto each other only in part. This module gives, for two pictures, the number of
matches a homography explains and the larger of the two shares of one frame it maps
inside the other: what :func:`lookalike.analysis.near_duplicates` weighs beside the
score. OpenCV does the work (ORB key points, Lowe's ratio test, a MAGSAC homography).

>>> import numpy as np
>>> from PIL import Image
>>> rng = np.random.default_rng(0)
>>> noise = Image.fromarray(rng.integers(0, 255, (300, 400), dtype=np.uint8)).resize((800, 600))
>>> a, b = keypoints(noise), keypoints(noise.crop((100, 80, 700, 520)))
>>> g = geometry(a, b)
>>> g.inliers >= MIN_INLIERS, g.share > 0.9
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

__all__ = ["MIN_INLIERS", "MIN_SHARE", "SIDE", "Geometry", "Keypoints", "geometry", "keypoints"]

SIDE = 512  # key points are found on the picture scaled to fit SIDE x SIDE
FEATURES = 1500
FIRST = 500  # a's strongest points matched first (see geometry)
FAST = 5  # ORB's FAST corner threshold (OpenCV: 20): key points on smoother pictures too
RATIO = 0.8  # Lowe's ratio test
REPROJECTION = 4.0  # pixels at SIDE
# A geometric verdict needs this many matches explained by one homography; with fewer
# (a flat or blurred picture) there is no evidence either way. Tuned with MIN_SHARE on
# the tuning split of bench/duplicates_transfer.py (see docs/duplicates.md).
MIN_INLIERS = 20
MIN_SHARE = 0.8  # a copy maps >= 80% of one frame inside the other


@dataclass(frozen=True)
class Keypoints:
    """ORB key points of one picture: positions (x, y) at :data:`SIDE`, their binary
    descriptors, and the scaled picture's (width, height)."""

    points: np.ndarray  # float32 (n, 2)
    descriptors: np.ndarray  # uint8 (n, 32)
    size: tuple[int, int]

    def __len__(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class Geometry:
    """How two pictures' key points fit one homography: ``inliers`` (matches it
    explains, 0 when none was found) and ``share`` (the larger of the two shares of one
    frame it maps inside the other, 0 to 1); ``identical`` for pictures with identical
    pixels, which need no key points to be copies."""

    inliers: int = 0
    share: float = 0.0
    identical: bool = False

    @property
    def evidence(self) -> bool:
        """Whether enough matches fit for a verdict."""
        return self.identical or self.inliers >= MIN_INLIERS

    @property
    def copy(self) -> bool:
        """One picture maps (almost) wholly inside the other."""
        return self.identical or (self.evidence and self.share >= MIN_SHARE)

    @property
    def partial(self) -> bool:
        """The pictures share a region, but neither maps inside the other."""
        return not self.identical and self.evidence and self.share < MIN_SHARE


def keypoints(image: Image.Image) -> Keypoints:
    """ORB key points of ``image`` (any mode), found on its grey picture scaled to fit
    :data:`SIDE` x :data:`SIDE`."""
    import cv2

    grey = image.convert("L")
    if max(grey.size) > SIDE:
        grey = grey.copy()
        grey.thumbnail((SIDE, SIDE), Image.Resampling.BOX)
    orb = cv2.ORB_create(FEATURES, fastThreshold=FAST)
    found, descriptors = orb.detectAndCompute(np.asarray(grey), None)
    if descriptors is None:
        return Keypoints(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), grey.size)
    order = np.argsort([-k.response for k in found], kind="stable")  # strongest first
    points = np.array([found[k].pt for k in order], dtype=np.float32).reshape(-1, 2)
    return Keypoints(points, descriptors[order], grey.size)


def geometry(a: Keypoints, b: Keypoints) -> Geometry:
    """How the key points of ``a`` and ``b`` fit one homography (see :class:`Geometry`)."""

    if len(a) < 10 or len(b) < 10:
        return Geometry()
    if FIRST and len(a) > FIRST:
        # Most pairs decide on a's strongest points alone: a third of the matching work
        # (the brute-force match is most of a check's time). Only when they leave too few
        # matches for a verdict are all of a's points matched.
        first = _fit(a, b, FIRST)
        if first.evidence:
            return first
    return _fit(a, b, len(a))


def _fit(a: Keypoints, b: Keypoints, n: int) -> Geometry:
    """The homography of a's ``n`` strongest key points matched with b's."""
    import cv2

    knn = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(a.descriptors[:n], b.descriptors, k=2)
    good = [m[0] for m in knn if len(m) == 2 and m[0].distance < RATIO * m[1].distance]
    if len(good) < 8:
        return Geometry()
    src = a.points[[m.queryIdx for m in good]]
    dst = b.points[[m.trainIdx for m in good]]
    try:
        h, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, REPROJECTION)
    except cv2.error:  # a degenerate sample
        return Geometry()
    if h is None or mask is None:
        return Geometry()
    inliers = int(mask.sum())
    try:
        share = max(_inside(h, a.size, b.size), _inside(np.linalg.inv(h), b.size, a.size))
    except np.linalg.LinAlgError:
        share = 0.0
    return Geometry(inliers, share)


def _inside(h: np.ndarray, source: tuple[int, int], target: tuple[int, int]) -> float:
    """The share of a 12 x 12 grid over the ``source`` frame that ``h`` maps inside the
    ``target`` frame (2 pixels of slack)."""
    import cv2

    xs, ys = np.meshgrid(np.linspace(0, source[0], 12), np.linspace(0, source[1], 12))
    grid = np.c_[xs.ravel(), ys.ravel()].astype(np.float32).reshape(-1, 1, 2)
    p = cv2.perspectiveTransform(grid, h).reshape(-1, 2)
    ok = np.isfinite(p).all(axis=1)
    ok &= (p >= -2).all(axis=1) & (p[:, 0] <= target[0] + 2) & (p[:, 1] <= target[1] + 2)
    return float(ok.mean())
