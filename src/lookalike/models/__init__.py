"""Models: turn decoded images into L2-normalised vectors, looked up by name."""

from lookalike.models._base import Backbone, l2_normalize
from lookalike.models.registry import (
    DEFAULT_MODEL,
    ModelInfo,
    get_backbone,
    list_models,
    register,
    resolve,
)

__all__ = [
    "DEFAULT_MODEL",
    "Backbone",
    "ModelInfo",
    "get_backbone",
    "l2_normalize",
    "list_models",
    "register",
    "resolve",
]
