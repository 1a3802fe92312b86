"""EfficientNet-Lite0: the real weights, both runtimes, the ONNX cache, the registry.

The models are built once per session; the ONNX export goes to a temporary cache.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from skimage import data

from lookalike.errors import ModelUnavailable
from lookalike.models import efficientnet_lite as lite
from lookalike.models import list_models, resolve
from lookalike.models._onnx_cache import cache_dir, cached_export, export_path, file_sha256

NAMES = ("chelsea", "coffee", "astronaut", "rocket")
CATS = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat
COFFEE = {967, 504}  # espresso, coffee mug


def squash(pixels: np.ndarray) -> np.ndarray:
    """As the imaging layer does: the whole image to 224 x 224 (a read-only array)."""
    img = Image.fromarray(pixels).convert("RGB")
    return np.asarray(img.resize((224, 224), Image.BILINEAR, reducing_gap=3.0))


@pytest.fixture(scope="session")
def photos() -> np.ndarray:
    return np.stack([squash(getattr(data, name)()) for name in NAMES])


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("lookalike-cache")


@pytest.fixture(scope="session")
def onnx_model(onnx_cache):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOOKALIKE_CACHE", str(onnx_cache))
        return lite.EfficientNetLite0(runtime="onnx")


@pytest.fixture(scope="session")
def torch_model():
    return lite.EfficientNetLite0(runtime="torch")


@pytest.fixture(params=["onnx", "torch"])
def model(request):
    return request.getfixturevalue(f"{request.param}_model")


def test_weights_are_the_imagenet_ones(photos):
    import torch

    features = lite.feature_extractor()
    with torch.inference_mode():
        # The classifier head on top of the vectors we embed (before L2 normalisation).
        logits = features.net._fc(features(torch.from_numpy(photos.copy())))
    top5 = torch.topk(logits, 5).indices.numpy()
    assert CATS & set(top5[0]), top5[0]
    assert COFFEE & set(top5[1]), top5[1]


def test_embed_conformance(model, photos):
    vectors = model.embed(photos)
    assert vectors.shape == (len(photos), 1280) == (len(photos), model.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(model.embed(photos), vectors)  # deterministic
    single = model.embed(photos[1:2])
    assert single.shape == (1, 1280)
    assert float(single[0] @ vectors[1]) > 0.9999  # batch composition does not matter
    assert model.embed(photos[:0]).shape == (0, 1280)


def test_embed_rejects_wrong_input(model, photos):
    match = r"The 'images' parameter of EfficientNetLite0.embed must be a uint8 array"
    with pytest.raises(ValueError, match=match):
        model.embed(photos.astype(np.float32))
    with pytest.raises(ValueError, match=re.escape("shape (1, 224, 224) instead")):
        model.embed(photos[:1, :, :, 0])


def test_runtimes_agree(onnx_model, torch_model, photos):
    cosine = np.sum(onnx_model.embed(photos) * torch_model.embed(photos), axis=1)
    assert cosine.min() > 0.999, cosine


def test_photos_are_told_apart(onnx_model, photos):
    vectors = onnx_model.embed(photos)
    similarity = vectors @ vectors.T
    assert similarity[~np.eye(len(photos), dtype=bool)].max() < 0.8


def test_onnx_export_is_cached(onnx_model, onnx_cache, monkeypatch):
    assert onnx_model.exported
    weights_hash = file_sha256(lite.weights_path())[:16]
    assert onnx_model.onnx_path.parent == onnx_cache / "onnx"
    assert weights_hash in onnx_model.onnx_path.name
    assert os.listdir(onnx_cache / "onnx") == [onnx_model.onnx_path.name]  # no leftovers

    def must_not_export(path):
        raise AssertionError("exported again")

    monkeypatch.setenv("LOOKALIKE_CACHE", str(onnx_cache))
    monkeypatch.setattr(lite, "_export_onnx", must_not_export)
    again = lite.EfficientNetLite0(runtime="onnx")
    assert not again.exported
    assert again.onnx_path == onnx_model.onnx_path


def test_export_name_follows_the_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    a, b, a2 = tmp_path / "a.pth", tmp_path / "b.pth", tmp_path / "a2.pth"
    a.write_bytes(b"weights A")
    b.write_bytes(b"weights B")
    a2.write_bytes(b"weights A")
    path_a = export_path("efficientnet-lite0", a, "g9")
    assert re.fullmatch(r"efficientnet-lite0-[0-9a-f]{16}-g9\.onnx", path_a.name)
    assert path_a.parent == tmp_path / "cache" / "onnx"
    assert export_path("efficientnet-lite0", b, "g9") != path_a
    assert export_path("efficientnet-lite0", a2, "g9") == path_a
    assert export_path("efficientnet-lite0", a, "g10") != path_a


def test_cached_export_is_atomic(tmp_path):
    target = tmp_path / "onnx" / "m.onnx"

    def fails(path):
        path.write_bytes(b"half a model")
        raise RuntimeError("export failed")

    with pytest.raises(RuntimeError, match="export failed"):
        cached_export(target, fails)
    assert os.listdir(target.parent) == []
    assert cached_export(target, lambda path: path.write_bytes(b"model")) == (target, True)
    assert cached_export(target, fails) == (target, False)
    assert target.read_bytes() == b"model"


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("LOOKALIKE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "lookalike"
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_runtime_choice(monkeypatch):
    monkeypatch.delenv("LOOKALIKE_RUNTIME", raising=False)
    assert lite._choose_runtime(None) == "onnx"
    assert lite._choose_runtime("torch") == "torch"
    monkeypatch.setenv("LOOKALIKE_RUNTIME", "torch")
    assert lite._choose_runtime(None) == "torch"
    assert lite._choose_runtime("onnx") == "onnx"  # the argument wins
    monkeypatch.setenv("LOOKALIKE_RUNTIME", "tensorflow")
    with pytest.raises(ValueError, match="The 'LOOKALIKE_RUNTIME' parameter"):
        lite._choose_runtime(None)
    with pytest.raises(ValueError, match="The 'runtime' parameter of EfficientNetLite0"):
        lite._choose_runtime("gpu")


def test_falls_back_to_torch_without_onnxruntime(monkeypatch):
    find_spec = lite.importlib.util.find_spec
    monkeypatch.setattr(
        lite.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "onnxruntime" else find_spec(name, *args),
    )
    monkeypatch.delenv("LOOKALIKE_RUNTIME", raising=False)
    assert lite._choose_runtime(None) == "torch"
    with pytest.raises(ModelUnavailable, match="needs onnxruntime"):
        lite._choose_runtime("onnx")


def test_pickles_for_worker_processes(torch_model, photos):
    clone = pickle.loads(pickle.dumps(torch_model))
    assert clone.runtime == "torch"
    np.testing.assert_array_equal(clone.embed(photos[:2]), torch_model.embed(photos[:2]))


def test_registry_knows_it_offline():
    assert resolve("lite0") == "efficientnet-lite0"
    info = {m.name: m for m in list_models()}["efficientnet-lite0"]
    assert (info.dim, info.input_size, info.offline) == (1280, 224, True)
    assert "lite0" in info.aliases


def test_registry_does_not_import_torch():
    code = (
        "import sys, lookalike.models as m; m.list_models(); m.resolve('lite0'); "
        "assert 'torch' not in sys.modules and 'onnxruntime' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
