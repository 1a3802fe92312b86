"""The Backbone contract every model backend fulfils."""

from __future__ import annotations

from abc import ABC

import numpy as np

__all__ = ["Backbone", "l2_normalize"]


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Return ``x`` as float32 rows of unit L2 norm (zero rows stay zero).

    >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class Backbone(ABC):
    """Turns a batch of decoded images into L2-normalised float32 vectors.

    Attributes
    ----------
    name : str
        Stable name stored with every vector (e.g. ``"efficientnet-lite0"``).
    dim : int
        Length of the vectors.
    input_size : int
        Images reach :meth:`embed` resized to ``input_size x input_size`` RGB.
    view : str, default="whole"
        What part of each picture the indexing pipeline gives :meth:`embed`: the whole
        picture, or its ``"centre"`` (:func:`lookalike.imaging.centre_view`).

    The embedder is a pure function of its batch (no global state), so the same object
    can run in worker processes or on a distributed engine.
    """

    name: str
    dim: int
    input_size: int
    view: str = "whole"

    def embed(self, images: np.ndarray) -> np.ndarray:
        """Embed a batch: checks it, then L2-normalises :meth:`_features` of it.

        Parameters
        ----------
        images : ndarray of shape (n, input_size, input_size, 3), dtype uint8
            RGB pixels.

        Returns
        -------
        ndarray of shape (n, dim), dtype float32
            Rows of unit L2 norm, so cosine similarity is an inner product.
        """
        images = self._check_batch(images)
        if len(images) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalize(self._features(images))

    def _features(self, images: np.ndarray) -> np.ndarray:
        """Raw ``(n, dim)`` features of a checked, non-empty batch (a backend either
        defines this or overrides :meth:`embed` itself)."""
        raise NotImplementedError(f"{type(self).__name__} defines neither embed nor _features")

    def _check_batch(self, images: np.ndarray) -> np.ndarray:
        """``images`` as a C-contiguous uint8 ``(n, S, S, 3)`` array, or the template
        ValueError naming this backbone."""
        images = np.asarray(images)
        shape = (self.input_size, self.input_size, 3)
        if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != shape:
            raise ValueError(
                f"The 'images' parameter of {type(self).__name__}.embed must be a uint8 "
                f"array of shape (n, {self.input_size}, {self.input_size}, 3). "
                f"Got a {images.dtype} array of shape {images.shape} instead."
            )
        return np.ascontiguousarray(images)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"
