"""Models: turn decoded images into L2-normalised vectors, looked up by name."""

from lookalike.models._base import Backbone, l2_normalize
from lookalike.models.registry import (
    DEFAULT_MODEL,
    ModelInfo,
    get_backbone,
    list_models,
    register,
    resolve,
    spec_of,
)
from lookalike.models.views import CentreView, centre_name, is_view

__all__ = [
    "DEFAULT_MODEL",
    "Backbone",
    "CentreView",
    "ModelInfo",
    "centre_name",
    "get_backbone",
    "is_view",
    "l2_normalize",
    "list_models",
    "register",
    "resolve",
    "spec_of",
]
