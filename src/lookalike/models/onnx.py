"""Any ONNX image model file, run by ONNX Runtime on the CPU.

Name a model ``onnx:<path to model.onnx>``. Its parameters come from a JSON sidecar next
to it, ``<model.onnx>.json`` (written by ``lookalike export-onnx``), for example::

    {"input_size": 224, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
     "layout": "NCHW", "output": "pooled", "name": "my-resnet"}

- ``input_size`` (required unless the model's input has a fixed size): images reach the
  model squashed to ``input_size x input_size``.
- ``mean``, ``std`` (default 0 and 1): for a float input, ``x = (pixel / 255 - mean) /
  std`` per RGB channel; a ``uint8`` input gets the pixels as they are (the model
  normalises them itself, as the exports of the built-in models do).
- ``layout``: ``"NCHW"`` (default) or ``"NHWC"``, of the input and of a feature-map output.
- ``output``: the output to use (default: the first). A ``(n, d)`` output is the vector;
  a feature map ``(n, c, h, w)`` is average-pooled; tokens ``(n, t, d)`` give the first
  (CLS) token.
- ``name``: the stored model name is ``onnx-<name>`` (default: ``onnx-<file stem>``).

The vectors are L2-normalised like every backbone's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lookalike._files import atomic_path
from lookalike._validation import check_choice, check_int
from lookalike.errors import ModelUnavailable
from lookalike.models._base import Backbone
from lookalike.models._onnx_cache import cpu_session
from lookalike.models.registry import ModelInfo, register_resolver, resolve

__all__ = ["OnnxBackbone", "export_onnx", "read_sidecar", "sidecar_path"]

LAYOUTS = ("NCHW", "NHWC")
_SIDECAR_KEYS = {"input_size", "mean", "std", "layout", "output", "name", "source", "note"}


def sidecar_path(path: str | os.PathLike) -> Path:
    """``model.onnx`` -> ``model.onnx.json``."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def read_sidecar(path: str | os.PathLike) -> dict[str, Any]:
    """The parameters in ``<path>.json`` ({} if there is none).

    Raises
    ------
    ValueError
        If the sidecar is not a JSON object of known keys.
    """
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        params = json.loads(side.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{str(side)!r} is not valid JSON: {err}") from err
    if not isinstance(params, dict) or not set(params) <= _SIDECAR_KEYS:
        unknown = sorted(set(params) - _SIDECAR_KEYS) if isinstance(params, dict) else params
        raise ValueError(
            f"{str(side)!r} must be a JSON object with keys among "
            f"{sorted(_SIDECAR_KEYS)}. Got {unknown!r} instead."
        )
    return params


def _stored_name(path: Path, name: str | None) -> str:
    slug = re.sub(r"[^a-z0-9._]+", "-", (name or path.stem).lower()).strip("-.")
    return slug if slug.startswith("onnx-") else f"onnx-{slug}"


class OnnxBackbone(Backbone):
    """An ONNX image model (see the module docstring for the parameters).

    Parameters
    ----------
    path : path-like
        The ``.onnx`` file.
    input_size : int or None, default=None
        Side of the square input; ``None`` reads it from the model's fixed input shape.
    mean, std : sequence of 3 floats, default=(0, 0, 0) and (1, 1, 1)
        Per-channel normalisation of ``pixel / 255`` for float inputs.
    output : str or None, default=None
        Output name; ``None`` is the first output.
    layout : {"NCHW", "NHWC"}, default="NCHW"
    name : str or None, default=None
        Stored as ``onnx-<name>``; ``None`` uses the file stem.

    Raises
    ------
    ModelUnavailable
        If the file is missing or ONNX Runtime cannot load it.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        input_size: int | None = None,
        mean: Sequence[float] = (0.0, 0.0, 0.0),
        std: Sequence[float] = (1.0, 1.0, 1.0),
        output: str | None = None,
        layout: str = "NCHW",
        name: str | None = None,
    ) -> None:
        where = "OnnxBackbone"
        self.path = Path(path).expanduser().absolute()
        self.layout = check_choice(layout, "layout", where, LAYOUTS)
        mean, std = np.asarray(mean, np.float32), np.asarray(std, np.float32)
        if mean.shape != (3,) or std.shape != (3,) or not np.all(std > 0):
            raise ValueError(
                f"The 'mean' and 'std' parameters of {where} must be 3 numbers each "
                f"(std > 0). Got mean={mean.tolist()}, std={std.tolist()} instead."
            )
        self.name = _stored_name(self.path, name)
        if not self.path.is_file():
            raise ModelUnavailable(f"ONNX model {str(self.path)!r} does not exist.")
        try:
            self._session = cpu_session(self.path)
        except ImportError as err:
            raise ModelUnavailable("ONNX models need onnxruntime: pip install onnxruntime") from err
        except Exception as err:  # onnxruntime's own error types
            raise ModelUnavailable(
                f"ONNX Runtime cannot load {str(self.path)!r}: {str(err).splitlines()[0]}"
            ) from err
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        self._uint8 = model_input.type == "tensor(uint8)"
        if self._uint8 and (mean.any() or np.any(std != 1)):
            raise ValueError(
                f"{str(self.path)!r} takes uint8 pixels (it normalises them itself): "
                "give no mean/std for it."
            )
        outputs = [o.name for o in self._session.get_outputs()]
        self.output = (
            outputs[0] if output is None else check_choice(output, "output", where, tuple(outputs))
        )
        if input_size is None:
            axes = model_input.shape[1:3] if self.layout == "NHWC" else model_input.shape[2:4]
            if not all(isinstance(a, int) for a in axes) or axes[0] != axes[1]:
                raise ValueError(
                    f"{str(self.path)!r} has no fixed square input size (shape "
                    f"{model_input.shape}): give 'input_size' in {sidecar_path(self.path).name}."
                )
            input_size = axes[0]
        self.input_size = check_int(input_size, "input_size", where, low=8, high=4096)
        shape = (1, 3, 1, 1) if self.layout == "NCHW" else (1, 1, 1, 3)
        self._scale = (1 / (255 * std)).reshape(shape).astype(np.float32)
        self._shift = (-mean / std).reshape(shape).astype(np.float32)
        self._params = {
            "input_size": self.input_size,
            "mean": mean.tolist(),
            "std": std.tolist(),
            "output": self.output,
            "layout": self.layout,
            "name": name,
        }
        self.dim = int(
            self._features(np.zeros((1, self.input_size, self.input_size, 3), np.uint8)).shape[1]
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> OnnxBackbone:
        """The model at ``path`` with the parameters of its sidecar ``<path>.json``."""
        params = read_sidecar(path)
        params.pop("source", None)
        params.pop("note", None)
        return cls(path, **params)

    def _features(self, images: np.ndarray) -> np.ndarray:
        x = images if self.layout == "NHWC" else images.transpose(0, 3, 1, 2)
        if not self._uint8:
            x = x.astype(np.float32) * self._scale + self._shift
        out = self._session.run([self.output], {self._input_name: np.ascontiguousarray(x)})[0]
        out = np.asarray(out, dtype=np.float32)
        if out.ndim == 4:
            out = out.mean(axis=(2, 3) if self.layout == "NCHW" else (1, 2))
        elif out.ndim == 3:
            out = out[:, 0]
        return out.reshape(len(images), -1)

    def __reduce__(self):
        return (_rebuild, (str(self.path), self._params))


def _rebuild(path: str, params: dict[str, Any]) -> OnnxBackbone:
    return OnnxBackbone(path, **params)


def export_onnx(out: str | os.PathLike, model: str = "efficientnet-lite0") -> Path:
    """Write a built-in model to ``out`` as ONNX, with its sidecar ``<out>.json``.

    The graph takes uint8 RGB images ``(n, size, size, 3)`` and returns the pooled
    features (``"features"``); ``onnx:<out>`` then loads it with :class:`OnnxBackbone`.
    Both files are written to temporary names and renamed into place.

    Raises
    ------
    ModelUnavailable
        If ``model`` is not a built-in model that can be exported.
    """
    from lookalike.models import efficientnet_lite as lite
    from lookalike.models._onnx_cache import cached_export, export_path

    name = resolve(model)
    if name not in lite.VARIANTS:
        raise ModelUnavailable(
            f"Only the built-in models can be exported ({', '.join(lite.VARIANTS)}); got {model!r}."
        )
    cached, _ = cached_export(
        export_path(name, lite.weights_path(name), lite._GRAPH_VERSION),
        lambda path: lite._export_onnx(path, name),
        what=name,
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sidecar = {
        "input_size": lite.VARIANTS[name].input_size,
        "layout": "NHWC",
        "output": "features",
        "source": name,
        "note": "uint8 input; normalisation (x - 127) / 128 is inside the graph",
    }
    for target, write in (
        (out, lambda tmp: shutil.copyfile(cached, tmp)),
        (sidecar_path(out), lambda tmp: tmp.write_text(json.dumps(sidecar, indent=2) + "\n")),
    ):
        with atomic_path(target, mode=0o644) as tmp:
            write(tmp)
    return out


def _resolve(spec: str) -> tuple[ModelInfo, Any]:
    path = Path(spec).expanduser().absolute()
    params = read_sidecar(path) if path.is_file() else {}
    info = ModelInfo(
        name=_stored_name(path, params.get("name")),
        dim=0,  # known once loaded
        input_size=int(params.get("input_size", 0)),
        description=f"ONNX file {path}",
        is_available=path.is_file,
        spec=f"onnx:{path}",
    )
    return info, lambda: OnnxBackbone.from_file(path)


register_resolver("onnx", _resolve)
