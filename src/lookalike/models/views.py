"""Backbones that embed a view of each picture (a part of it) with another backbone.

The centre view (:func:`lookalike.imaging.centre_view`) is what the near-duplicate score
compares besides the whole picture. Its vectors are stored like any model's, under the
base model's name + ``-grey-centre``; a view is never a collection's model of its own.
(Collections indexed before the view turned grey also hold ``<model>-centre``, the
colour view: still a view, no longer read; the grey one is embedded when first needed.)
"""

from __future__ import annotations

import numpy as np

from lookalike._view_names import CENTRE_SUFFIX, centre_name, is_view
from lookalike.models._base import Backbone

__all__ = ["CENTRE_SUFFIX", "CentreView", "centre_name", "is_view"]

class CentreView(Backbone):
    """``base`` applied to the centre view of each picture: same dimension and input
    size, its own name (``<base>-grey-centre``), ``view = "centre"`` (the indexing pipeline
    crops before resizing).

    >>> class Pixels(Backbone):
    ...     name, dim, input_size = "pixels", 3, 2
    ...     def _features(self, images):
    ...         return images.mean(axis=(1, 2))
    >>> CentreView(Pixels())
    CentreView(name='pixels-grey-centre', dim=3)
    """

    view = "centre"

    def __init__(self, base: Backbone) -> None:
        self.base = base
        self.name = centre_name(base.name)
        self.dim = base.dim
        self.input_size = base.input_size

    def embed(self, images: np.ndarray) -> np.ndarray:
        return self.base.embed(images)
