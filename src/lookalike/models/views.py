"""Backbones that embed a view of each picture (a part of it) with another backbone.

The centre view (:func:`lookalike.imaging.centre_view`) is what the near-duplicate score
compares besides the whole picture. Its vectors are stored like any model's, under the
base model's name + ``-grey-centre``; a view is never a collection's model of its own.
(Collections indexed before the view turned grey also hold ``<model>-centre``, the
colour view: still a view, no longer read; the grey one is embedded when first needed.)
"""

from __future__ import annotations

import numpy as np

from lookalike.models._base import Backbone

__all__ = ["CENTRE_SUFFIX", "CentreView", "centre_name", "is_view"]

CENTRE_SUFFIX = "-grey-centre"
# Every view's name ends so: the colour view of earlier versions too ("<model>-centre").
_VIEW_ENDING = "-centre"


def centre_name(model: str) -> str:
    """The name the centre-view vectors of ``model`` are stored under.

    >>> centre_name("efficientnet-lite0")
    'efficientnet-lite0-grey-centre'
    """
    return model + CENTRE_SUFFIX


def is_view(name: str) -> bool:
    """Whether ``name`` names the vectors of a view (not a model a user chose).

    >>> is_view("efficientnet-lite0-grey-centre"), is_view("efficientnet-lite0-centre")
    (True, True)
    >>> is_view("efficientnet-lite0")
    False
    """
    return name.endswith(_VIEW_ENDING)


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
