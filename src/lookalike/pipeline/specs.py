"""The backbone of a model a collection holds, built again from the spec it recorded.

A model named by a resolver spec (``hf:<id or folder>``, ``onnx:<file>``) is stored
under a canonical name (``hf-facebook-dinov2-small``, ``onnx-<stem>``) that the registry
of a new process does not know. The catalog records the spec with the model's vectors
(``models.spec``, see :func:`lookalike.models.spec_of`); the functions here resolve it
again when the name is looked up, so that such a collection embeds new and outside
images in any process. Imported vectors have no spec: no model embeds images for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from lookalike import models
from lookalike.errors import ModelUnavailable
from lookalike.models import Backbone
from lookalike.store.catalog import Catalog

__all__ = ["collection_backbone", "has_backbone"]

# What a user can do when a recorded spec no longer builds its model, per prefix.
_REMEDY = {
    "onnx": "Put the file back, or name the model by its new place (--model onnx:<file>)",
    "hf": "Fix that, or name the model where it is now (--model hf:<model id or folder>)",
}


def has_backbone(catalog: Catalog, name: str) -> bool:
    """Whether model ``name`` has a backbone: the registry knows it, or the collection
    recorded the spec it was made from. Loads nothing, so the backbone may still fail
    to load (:func:`collection_backbone` says why)."""
    return _is_registered(name) or catalog.model_spec(name) is not None


def collection_backbone(catalog: Catalog, name: str) -> Backbone:
    """The backbone that embeds images as the collection's model ``name`` (or as a new
    model: any name the registry resolves), the spec it was made from resolved again if
    this process does not know the name yet.

    Raises
    ------
    ModelUnavailable
        If ``name`` holds imported vectors (no model embeds for it), or its recorded
        spec no longer builds it here: one line naming the model, the spec, the reason
        and what to do.
    """
    dims = dict(catalog.models())
    if name not in dims:
        return models.get_backbone(name)
    spec = catalog.model_spec(name)
    if not _is_registered(name):
        if spec is None:
            from lookalike.models.precomputed import Precomputed

            raise Precomputed(name, dims[name]).cannot_embed()
        _resolve_again(name, spec)
    with _explained(name, spec):
        backbone = models.get_backbone(name)
    if backbone.dim != dims[name]:
        raise ModelUnavailable(
            f"Model {name!r} has dim={dims[name]} in this collection, but {spec or name!r} "
            f"now gives vectors of dim={backbone.dim}: it is another model. "
            f"{_remedy(spec or name)}."
        )
    return backbone


def _resolve_again(name: str, spec: str) -> None:
    """Register ``name`` from ``spec``, or raise the one-line error."""
    with _explained(name, spec):
        canonical = models.resolve(spec)
        if canonical != name:  # the reason, e.g. a file gone with the name its sidecar gave
            models.get_backbone(canonical)
    if canonical != name:
        raise ModelUnavailable(
            f"Model {name!r} of this collection was made from {spec!r}, which now gives "
            f"the model {canonical!r}. {_remedy(spec)}."
        )


@contextmanager
def _explained(name: str, spec: str | None) -> Iterator[None]:
    """Say which model, which spec and what to do when ``spec`` does not build ``name``
    (a built-in model's own error says it all)."""
    try:
        yield
    except ModelUnavailable as err:
        if spec is None or spec == name:
            raise
        raise ModelUnavailable(
            f"Model {name!r} of this collection was made from {spec!r}, which does not "
            f"load here: {str(err).rstrip('.')}. {_remedy(spec)}."
        ) from err


def _remedy(spec: str) -> str:
    prefix, sep, _ = spec.partition(":")
    if not sep:
        return "Index with a model that loads here"
    default = f"Name the model by a spec that builds it here (--model {prefix}:...)"
    return _REMEDY.get(prefix, default) + ": indexing with it records that spec"


def _is_registered(name: str) -> bool:
    try:
        models.resolve(name)
    except ModelUnavailable:
        return False
    return True
