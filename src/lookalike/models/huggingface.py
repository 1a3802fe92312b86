"""Hugging Face image models (``transformers``): any model id or local folder.

Name a model ``hf:<model id>`` (``hf:facebook/dinov2-small``) or ``hf:<folder>`` (a folder
written by ``save_pretrained``). It is stored under a stable name made from the spec
(``hf-facebook-dinov2-small``; a folder gives ``hf-<folder name>``).

The vector of an image depends on the family, as each was trained to be used:

- CLIP and SigLIP (``clip``, ``siglip``, their vision towers): the image embedding
  (``get_image_features``: the projected pooled output that is compared with texts);
- ViT-like transformers (``dinov2``, ``vit``, ``deit``, ``beit``, ...): the CLS token of
  the last hidden state (layer-normalised);
- CNNs (``resnet``, ``convnext``, ``regnet``, ...): the pooled output (global average
  pool of the last stage);
- anything else: the pooled output if the model has one, else the mean of the last
  hidden state's tokens.

Preprocessing follows the model's ``preprocessor_config.json`` (its input size, rescale
factor, mean and std), except that the whole image is squashed to the input size as for
every lookalike model (no centre crop: the margins of a print or a page count).

Weights come from the Hugging Face cache (``$HF_HOME``, ``$HF_HUB_CACHE``) or a local
folder. lookalike does not download at run time: set ``LOOKALIKE_HF_DOWNLOAD=1`` to let
``transformers`` fetch missing weights (``HF_HUB_OFFLINE=1`` still wins), or download
them beforehand with ``hf download <model id>``. transformers and torch are imported only
when a model is built.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from lookalike.errors import ModelUnavailable
from lookalike.models._base import Backbone
from lookalike.models._onnx_cache import cpu_threads
from lookalike.models.registry import ModelInfo, register_resolver

__all__ = ["HuggingFaceBackbone", "hf_cache_dir", "model_name"]

CLIP_LIKE = ("clip", "siglip", "siglip2", "chinese_clip", "altclip", "metaclip_2")
CLS_TOKEN = ("dinov2", "dinov2_with_registers", "vit", "deit", "beit", "vit_msn", "vit_mae")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def hf_cache_dir() -> str:
    """The Hugging Face hub cache this process reads (``$HF_HUB_CACHE`` or its default)."""
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except ImportError:
        home = os.environ.get("HF_HOME", str(Path.home() / ".cache" / "huggingface"))
        return os.environ.get("HF_HUB_CACHE", str(Path(home) / "hub"))


def model_name(spec: str) -> str:
    """The stored name of ``hf:<spec>``.

    >>> model_name("facebook/dinov2-small")
    'hf-facebook-dinov2-small'
    >>> model_name("/models/My ResNet/")
    'hf-my-resnet'
    """
    if _is_folder(spec):
        spec = Path(spec).name or Path(spec).resolve().name
    slug = re.sub(r"[^a-z0-9._]+", "-", spec.lower()).strip("-.")
    return f"hf-{slug}"


def _is_folder(spec: str) -> bool:
    return spec.startswith(("/", ".", "~")) or Path(spec).expanduser().is_dir()


def _downloads_allowed() -> bool:
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    return not offline and os.environ.get("LOOKALIKE_HF_DOWNLOAD", "") == "1"


def _read_json(spec: str, filename: str) -> dict[str, Any] | None:
    """``filename`` of the model as a dict, from its folder or the hub cache (or None)."""
    if _is_folder(spec):
        path = Path(spec).expanduser() / filename
    else:
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:
            return None
        found = try_to_load_from_cache(spec, filename)
        path = Path(found) if isinstance(found, str) else None
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _config_dim(config: dict[str, Any]) -> int:
    """Best guess of the vector length from ``config.json`` (0 if unknown)."""
    kind = config.get("model_type", "")
    if kind in ("clip", "chinese_clip", "altclip") and "projection_dim" in config:
        return int(config["projection_dim"])
    vision = config.get("vision_config") or config
    if "hidden_sizes" in vision:
        return int(vision["hidden_sizes"][-1])
    return int(vision.get("hidden_size", 0))


def _input_size(preprocessor: dict[str, Any], config: dict[str, Any]) -> int:
    for key in ("crop_size", "size"):
        size = preprocessor.get(key)
        if isinstance(size, int):
            return size
        if isinstance(size, dict):
            for k in ("height", "shortest_edge", "width"):
                if size.get(k):
                    return int(size[k])
    vision = config.get("vision_config") or config
    return int(vision.get("image_size", 224))


class HuggingFaceBackbone(Backbone):
    """A ``transformers`` image model, pooled per family (see the module docstring).

    Parameters
    ----------
    spec : str
        A Hugging Face model id (``"facebook/dinov2-small"``) or a folder written by
        ``save_pretrained``.

    Raises
    ------
    ModelUnavailable
        If transformers is missing, or the weights are neither in the folder nor in the
        Hugging Face cache (the message names the model and the cache).
    """

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.name = model_name(spec)
        source = str(Path(spec).expanduser()) if _is_folder(spec) else spec
        try:
            import torch
            import transformers
            from transformers import AutoConfig, AutoModel
        except ImportError as err:
            raise ModelUnavailable(
                f"Hugging Face model {spec!r} needs transformers: pip install 'lookalike[hf]'"
            ) from err
        local_only = not _downloads_allowed()
        verbosity = transformers.logging.get_verbosity()
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        try:
            config = AutoConfig.from_pretrained(source, local_files_only=local_only)
            self._model = AutoModel.from_pretrained(source, local_files_only=local_only).eval()
        except (OSError, ValueError) as err:
            if _is_folder(spec):
                where = f"the folder {source!r}"
            else:
                where = f"the Hugging Face cache {hf_cache_dir()!r}"
                if local_only:
                    where += f" (downloads are off: run `hf download {spec}` first)"
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ModelUnavailable(
                f"Hugging Face model {spec!r} has no usable weights in {where}: {reason}"
            ) from err
        finally:
            transformers.logging.set_verbosity(verbosity)
        self.family = config.model_type
        pre = _read_json(spec, "preprocessor_config.json") or {}
        self.input_size = _input_size(pre, config.to_dict())
        scale = float(pre.get("rescale_factor", 1 / 255)) if pre.get("do_rescale", True) else 1.0
        mean = pre.get("image_mean", IMAGENET_MEAN) if pre.get("do_normalize", True) else (0,) * 3
        std = pre.get("image_std", IMAGENET_STD) if pre.get("do_normalize", True) else (1,) * 3
        self._scale = np.float32(scale)
        self._mean = np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
        self._std = np.asarray(std, np.float32).reshape(1, 3, 1, 1)
        torch.set_num_threads(cpu_threads())
        probe = np.zeros((1, self.input_size, self.input_size, 3), np.uint8)
        self.dim = int(self._features(probe).shape[1])

    def _features(self, images: np.ndarray) -> np.ndarray:
        import torch

        x = images.transpose(0, 3, 1, 2).astype(np.float32) * self._scale
        x = np.ascontiguousarray((x - self._mean) / self._std)
        pixels = torch.from_numpy(x)
        with torch.inference_mode():
            if self.family in CLIP_LIKE and hasattr(self._model, "get_image_features"):
                out = self._model.get_image_features(pixel_values=pixels)
                out = out if isinstance(out, torch.Tensor) else out.pooler_output
            else:
                result = self._model(pixel_values=pixels)
                pooled = getattr(result, "pooler_output", None)
                if self.family in CLS_TOKEN or (
                    pooled is None and result.last_hidden_state.ndim == 3
                ):
                    hidden = result.last_hidden_state
                    out = hidden[:, 0] if self.family in CLS_TOKEN else hidden.mean(dim=1)
                elif pooled is not None:
                    out = pooled
                else:  # a feature map (n, c, h, w)
                    out = result.last_hidden_state.mean(dim=(2, 3))
        return out.reshape(len(images), -1).float().numpy()

    def __reduce__(self):
        return (type(self), (self.spec,))


def _resolve(spec: str) -> tuple[ModelInfo, Any]:
    config = _read_json(spec, "config.json")
    pre = _read_json(spec, "preprocessor_config.json") or {}
    weights = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")

    def available() -> bool:
        return config is not None and any(_has_file(spec, w) for w in weights)

    info = ModelInfo(
        name=model_name(spec),
        dim=_config_dim(config) if config else 0,
        input_size=_input_size(pre, config) if config else 224,
        description=f"Hugging Face {config.get('model_type', '?') if config else '?'}: {spec}",
        is_available=available,
        spec="hf:" + (str(Path(spec).expanduser().absolute()) if _is_folder(spec) else spec),
    )
    return info, lambda: HuggingFaceBackbone(spec)


def _has_file(spec: str, filename: str) -> bool:
    if _is_folder(spec):
        return (Path(spec).expanduser() / filename).is_file()
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    return isinstance(try_to_load_from_cache(spec, filename), str)


register_resolver("hf", _resolve)
