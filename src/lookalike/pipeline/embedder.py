"""The embedder: a batch of read items -> the vectors of their pictures and of their
centre views, keyed by content hash. One model, loaded once by whoever builds the
embedder (the local runner, or each Ray actor)."""

from __future__ import annotations

import time
from collections.abc import Container, Sequence
from dataclasses import dataclass

import numpy as np

from lookalike.models import Backbone, CentreView
from lookalike.pipeline.reader import ReadItem

__all__ = ["Embedded", "Embedder"]


@dataclass(frozen=True)
class Embedded:
    """The embedder's answer for one batch: ``vectors[i]`` is the vector of the content
    ``hashes[i]`` (each content once), ``centre_vectors[i]`` that of its centre view
    ``centre_hashes[i]``; ``seconds`` spent embedding."""

    hashes: list[str]
    vectors: np.ndarray
    centre_hashes: list[str]
    centre_vectors: np.ndarray
    seconds: float = 0.0


class Embedder:
    """``backbone`` over batches of read items, and with ``centre`` the centre views
    through ``CentreView(backbone)`` (the same model: the reader cropped the inputs)."""

    def __init__(self, backbone: Backbone, *, centre: bool = False) -> None:
        self.backbone = backbone
        self.centre = CentreView(backbone) if centre else None

    def embed(
        self,
        items: Sequence[ReadItem],
        *,
        skip: Container[str] = frozenset(),
        skip_centre: Container[str] = frozenset(),
    ) -> Embedded:
        """Embed the pictures (and centre views) of ``items`` read without error, each
        content once, except those in ``skip`` (``skip_centre``): already stored."""
        t0 = time.perf_counter()
        whole = _inputs(items, "pixels", skip)
        hashes, vectors = list(whole), _embed(self.backbone, whole)
        centre_hashes: list[str] = []
        centre_vectors = np.zeros((0, self.backbone.dim), dtype=np.float32)
        if self.centre is not None:
            centres = _inputs(items, "centre", skip_centre)
            centre_hashes, centre_vectors = list(centres), _embed(self.centre, centres)
        seconds = time.perf_counter() - t0
        return Embedded(hashes, vectors, centre_hashes, centre_vectors, seconds)


def _inputs(items: Sequence[ReadItem], part: str, skip: Container[str]) -> dict[str, np.ndarray]:
    """content hash -> model input (``part`` of the item), in order, each content once."""
    todo: dict[str, np.ndarray] = {}
    for item in items:
        pixels = getattr(item, part)
        if item.ok and pixels is not None and item.hash not in skip:
            todo.setdefault(item.hash, pixels)  # type: ignore[arg-type]
    return todo


def _embed(backbone: Backbone, inputs: dict[str, np.ndarray]) -> np.ndarray:
    if not inputs:
        return np.zeros((0, backbone.dim), dtype=np.float32)
    return backbone.embed(np.stack(list(inputs.values())))
