"""Model registry: a name (or alias) -> a factory that builds a :class:`Backbone`.

Backends register themselves here; the rest of lookalike only ever asks for a model by
name, and stores that canonical name with every vector.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from lookalike.errors import ModelUnavailable
from lookalike.models._base import Backbone

__all__ = ["DEFAULT_MODEL", "ModelInfo", "get_backbone", "list_models", "register", "resolve"]

DEFAULT_MODEL = "efficientnet-lite0"


@dataclass(frozen=True)
class ModelInfo:
    """What the registry knows about a model without loading it."""

    name: str
    dim: int
    input_size: int
    description: str
    aliases: tuple[str, ...] = ()
    # Tells whether the weights are on this machine (no download needed).
    is_available: Callable[[], bool] = field(default=lambda: True, repr=False, compare=False)

    @property
    def offline(self) -> bool:
        return self.is_available()


_REGISTRY: dict[str, tuple[ModelInfo, Callable[[], Backbone]]] = {}
_ALIASES: dict[str, str] = {}
_LOADED: dict[str, Backbone] = {}
_BACKENDS = ("lookalike.models.efficientnet_lite",)
_BACKEND_ERRORS: dict[str, str] = {}


def register(info: ModelInfo, factory: Callable[[], Backbone]) -> None:
    """Register ``factory`` under ``info.name`` and its aliases (later wins)."""
    _REGISTRY[info.name] = (info, factory)
    _LOADED.pop(info.name, None)
    for alias in (info.name, *info.aliases):
        _ALIASES[alias] = info.name


def resolve(name: str) -> str:
    """Return the canonical name for ``name`` or an alias of it.

    >>> resolve("lite0")
    'efficientnet-lite0'
    """
    _load_builtins()
    try:
        return _ALIASES[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        broken = "".join(f" ({mod} failed to load: {e})" for mod, e in _BACKEND_ERRORS.items())
        raise ModelUnavailable(f"Unknown model {name!r}. Known models: {known}.{broken}") from None


def list_models() -> list[ModelInfo]:
    """Every registered model, by name."""
    _load_builtins()
    return [info for info, _ in sorted(_REGISTRY.values(), key=lambda item: item[0].name)]


def get_backbone(name: str = DEFAULT_MODEL) -> Backbone:
    """Build (once per process) and return the backbone registered as ``name``."""
    canonical = resolve(name)
    if canonical not in _LOADED:
        _LOADED[canonical] = _REGISTRY[canonical][1]()
    return _LOADED[canonical]


def _load_builtins() -> None:
    # Importing the backend modules registers them; done lazily so that
    # `import lookalike` stays light (no torch, no onnxruntime). A backend whose own
    # dependencies are missing must not take the other models down with it.
    for module in _BACKENDS:
        if module in _BACKEND_ERRORS or module in sys.modules:
            continue
        try:
            importlib.import_module(module)
        except ImportError as err:
            _BACKEND_ERRORS[module] = str(err)
