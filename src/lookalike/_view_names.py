"""The names views' vectors are stored under: a model's centre view is stored like a
model, as ``<model>-grey-centre``, and is never a collection's model of its own.

In the common set (below every layer) because the store keeps a view's vectors as it
keeps its model's (same encoding) and the models layer embeds them: both need the
names, neither may import the other.
"""

from __future__ import annotations

__all__ = ["CENTRE_SUFFIX", "base_model", "centre_name", "is_view"]

CENTRE_SUFFIX = "-grey-centre"
# Every view's name ends so: the colour view of earlier versions too ("<model>-centre"),
# left on disk in collections indexed before the view turned grey, and no longer read.
_VIEW_ENDINGS = (CENTRE_SUFFIX, "-centre")


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
    return name.endswith(_VIEW_ENDINGS)


def base_model(name: str) -> str:
    """The model a view's vectors belong to (``name`` itself when it is no view).

    >>> base_model("efficientnet-lite0-grey-centre"), base_model("efficientnet-lite0-centre")
    ('efficientnet-lite0', 'efficientnet-lite0')
    """
    for ending in _VIEW_ENDINGS:
        if name.endswith(ending):
            return name.removesuffix(ending)
    return name
