"""Model registry: a name (or alias) -> a factory that builds a :class:`Backbone`.

Backends register themselves here; the rest of lookalike only ever asks for a model by
name, and stores that canonical name with every vector. Backends that can load any of
many models (Hugging Face, ONNX files) register a *resolver* for a prefix instead:
``resolve("hf:facebook/dinov2-small")`` asks the ``hf`` resolver, which registers the model
under a stable canonical name (``hf-facebook-dinov2-small``) and the spec as an alias.
A collection records the spec of each model it holds (:func:`spec_of`), so that another
process can resolve the stored name again.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from lookalike.errors import ModelUnavailable
from lookalike.models._base import Backbone

__all__ = [
    "DEFAULT_MODEL",
    "ModelInfo",
    "get_backbone",
    "list_models",
    "register",
    "register_resolver",
    "resolve",
    "spec_of",
]

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
    # What names this model in any process (``resolve(spec) == name``): a resolver's
    # spec with absolute paths, such as "onnx:/models/x.onnx"; None is the name itself.
    spec: str | None = None

    @property
    def offline(self) -> bool:
        return self.is_available()


_REGISTRY: dict[str, tuple[ModelInfo, Callable[[], Backbone]]] = {}
_ALIASES: dict[str, str] = {}
_LOADED: dict[str, Backbone] = {}
_RESOLVERS: dict[str, Callable[[str], tuple[ModelInfo, Callable[[], Backbone]]]] = {}
_BACKENDS = (
    "lookalike.models.efficientnet_lite",
    "lookalike.models.huggingface",
    "lookalike.models.onnx",
)
_BACKEND_ERRORS: dict[str, str] = {}


def register(info: ModelInfo, factory: Callable[[], Backbone]) -> None:
    """Register ``factory`` under ``info.name`` and its aliases (later wins)."""
    _REGISTRY[info.name] = (info, factory)
    _LOADED.pop(info.name, None)
    for alias in (info.name, *info.aliases):
        _ALIASES[alias] = info.name


def register_resolver(
    prefix: str, resolver: Callable[[str], tuple[ModelInfo, Callable[[], Backbone]]]
) -> None:
    """Resolve names ``"<prefix>:<spec>"`` with ``resolver(spec) -> (info, factory)``.

    The resolver must not load the model (only name it); the factory does. The model is
    registered under ``info.name`` with the full ``"<prefix>:<spec>"`` as an alias.
    ``info.spec`` should give the spec in a form that names the same model from any
    working directory (absolute paths); it defaults to ``"<prefix>:<spec>"``.
    """
    _RESOLVERS[prefix] = resolver


def resolve(name: str) -> str:
    """Return the canonical name for ``name`` or an alias of it.

    >>> resolve("lite0")
    'efficientnet-lite0'
    """
    _load_builtins()
    if name in _ALIASES:
        return _ALIASES[name]
    prefix, sep, spec = name.partition(":")
    if sep and prefix in _RESOLVERS and spec:
        info, factory = _RESOLVERS[prefix](spec)
        aliases = tuple(dict.fromkeys((*info.aliases, name)))
        info = replace(info, aliases=aliases, spec=info.spec or name)
        register(info, factory)
        return info.name
    known = ", ".join(sorted(_REGISTRY))
    patterns = "".join(f", {p}:..." for p in sorted(_RESOLVERS))
    broken = "".join(f" ({mod} failed to load: {e})" for mod, e in _BACKEND_ERRORS.items())
    raise ModelUnavailable(
        f"Unknown model {name!r}. Known models: {known}{patterns}.{broken}"
    ) from None


def list_models() -> list[ModelInfo]:
    """Every registered model, by name."""
    _load_builtins()
    return [info for info, _ in sorted(_REGISTRY.values(), key=lambda item: item[0].name)]


def spec_of(name: str) -> str | None:
    """What names the registered model ``name`` (or alias) in any process: the resolver
    spec it was made from, or its canonical name; None for a name the registry does not
    know.

    >>> spec_of("lite0")
    'efficientnet-lite0'
    """
    try:
        info = _REGISTRY[resolve(name)][0]
    except ModelUnavailable:
        return None
    return info.spec or info.name


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
