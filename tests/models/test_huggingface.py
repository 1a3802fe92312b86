"""Hugging Face backend: tiny random models of each family, saved by the test and loaded
by path, offline; the pooling each family needs; clear errors when weights are absent."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import transformers  # the dev extra installs it: these tests are never skipped

from lookalike.errors import ModelUnavailable
from lookalike.models import get_backbone, list_models, resolve
from lookalike.models.huggingface import HuggingFaceBackbone, model_name

SIZE = 32
MEAN, STD = (0.5, 0.4, 0.3), (0.2, 0.25, 0.3)
TINY_VIT = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2)
TINY_TEXT = dict(TINY_VIT, vocab_size=100, max_position_embeddings=16)


def _tiny(family: str):
    """(model, expected pooling as a function of (model, pixel tensor), dim)."""
    t = transformers
    if family == "resnet":
        cfg = t.ResNetConfig(embedding_size=8, hidden_sizes=[8, 12], depths=[1, 1])
        return t.ResNetModel(cfg), lambda m, x: m(pixel_values=x).pooler_output, 12
    if family == "convnext":
        cfg = t.ConvNextConfig(hidden_sizes=[8, 10], depths=[1, 1], num_stages=2)
        return t.ConvNextModel(cfg), lambda m, x: m(pixel_values=x).pooler_output, 10
    if family == "dinov2":
        cfg = t.Dinov2Config(**TINY_VIT, image_size=SIZE, patch_size=8)
        return t.Dinov2Model(cfg), lambda m, x: m(pixel_values=x).last_hidden_state[:, 0], 16
    if family == "vit":
        cfg = t.ViTConfig(**TINY_VIT, image_size=SIZE, patch_size=8)
        return t.ViTModel(cfg), lambda m, x: m(pixel_values=x).last_hidden_state[:, 0], 16
    if family == "clip":
        vision = dict(TINY_VIT, image_size=SIZE, patch_size=8)
        cfg = t.CLIPConfig(text_config=TINY_TEXT, vision_config=vision, projection_dim=12)
        return t.CLIPModel(cfg), _image_features, 12
    if family == "siglip":
        vision = dict(TINY_VIT, image_size=SIZE, patch_size=8)
        cfg = t.SiglipConfig(text_config=TINY_TEXT, vision_config=vision)
        return t.SiglipModel(cfg), _image_features, 16
    raise AssertionError(family)


def _image_features(model, x):
    out = model.get_image_features(pixel_values=x)
    return out if isinstance(out, torch.Tensor) else out.pooler_output


FAMILIES = ("resnet", "convnext", "dinov2", "vit", "clip", "siglip")


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("LOOKALIKE_HF_DOWNLOAD", raising=False)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """family -> (folder, expected pooling function, dim); random weights, seed 0."""
    out = {}
    for family in FAMILIES:
        torch.manual_seed(0)
        model, pooling, dim = _tiny(family)
        folder = tmp_path_factory.mktemp("hf") / f"tiny-{family}"
        model.eval().save_pretrained(folder)
        preprocessor = {
            "do_rescale": True,
            "rescale_factor": 1 / 255,
            "do_normalize": True,
            "image_mean": list(MEAN),
            "image_std": list(STD),
            "size": {"shortest_edge": SIZE},
            "crop_size": {"height": SIZE, "width": SIZE},
        }
        (folder / "preprocessor_config.json").write_text(json.dumps(preprocessor))
        out[family] = (folder, pooling, dim)
    return out


def images(n: int = 3) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, SIZE, SIZE, 3), dtype=np.uint8)


@pytest.mark.parametrize("family", FAMILIES)
def test_family_pooling_and_conformance(saved, family):
    folder, pooling, dim = saved[family]
    model = HuggingFaceBackbone(str(folder))
    assert (model.name, model.family, model.dim, model.input_size) == (
        f"hf-tiny-{family}",
        family,
        dim,
        SIZE,
    )
    batch = images()
    vectors = model.embed(batch)
    assert vectors.shape == (3, dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.embed(batch[:0]).shape == (0, dim)
    # The expected pooling, computed here with the model's own outputs.
    x = (batch.transpose(0, 3, 1, 2) / 255.0 - np.reshape(MEAN, (1, 3, 1, 1))) / np.reshape(
        STD, (1, 3, 1, 1)
    )
    with torch.inference_mode():
        expected = pooling(model._model, torch.from_numpy(x.astype(np.float32)))
    expected = expected.reshape(3, -1).numpy()
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.sum(vectors * expected, axis=1).min() > 0.9999
    assert abs(float(vectors[0] @ vectors[1])) < 0.9999  # different images differ


def test_registry_resolves_folders_and_ids(saved):
    folder = saved["dinov2"][0]
    assert resolve(f"hf:{folder}") == "hf-tiny-dinov2"
    assert resolve("hf-tiny-dinov2") == "hf-tiny-dinov2"  # registered now
    backbone = get_backbone(f"hf:{folder}")
    assert backbone is get_backbone("hf-tiny-dinov2")
    info = {m.name: m for m in list_models()}["hf-tiny-dinov2"]
    assert (info.dim, info.input_size, info.offline) == (16, SIZE, True)
    assert model_name("facebook/dinov2-small") == "hf-facebook-dinov2-small"
    assert model_name("openai/clip-vit-base-patch32") == "hf-openai-clip-vit-base-patch32"


def test_index_and_neighbors_with_a_folder_model(saved, photos_dir, tmp_path):
    import lookalike

    col = lookalike.create(tmp_path / "col")
    spec = f"hf:{saved['resnet'][0]}"
    report = col.index(photos_dir, model=spec, progress=False)
    assert report.embedded == 9 and report.model == "hf-tiny-resnet"
    assert col.models == ["hf-tiny-resnet"]
    hits = col.neighbors(col.image(str(photos_dir / "chelsea.png")).id, k=3, model=spec)
    assert hits.model == "hf-tiny-resnet" and len(hits) == 3
    query = col.neighbors(query=photos_dir / "coffee.jpg", k=1, model=spec)
    assert query[0].uri.endswith("coffee.jpg")


def test_missing_weights_name_the_model_and_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    match = (
        r"Hugging Face model 'nobody/no-such-model' has no usable weights in the "
        r"Hugging Face cache '.*empty-cache' \(downloads are off"
    )
    with pytest.raises(ModelUnavailable, match=match):
        HuggingFaceBackbone("nobody/no-such-model")
    assert resolve("hf:nobody/no-such-model") == "hf-nobody-no-such-model"
    info = {m.name: m for m in list_models()}["hf-nobody-no-such-model"]
    assert not info.offline
    with pytest.raises(ModelUnavailable, match="nobody/no-such-model"):
        get_backbone("hf:nobody/no-such-model")


def test_folder_without_weights(tmp_path, saved):
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "config.json").write_text((saved["vit"][0] / "config.json").read_text())
    with pytest.raises(
        ModelUnavailable, match=r"Hugging Face model '.*half' has no usable weights in the folder"
    ):
        HuggingFaceBackbone(str(folder))


def test_embed_rejects_wrong_input(saved):
    model = HuggingFaceBackbone(str(saved["vit"][0]))
    with pytest.raises(
        ValueError,
        match=r"HuggingFaceBackbone.embed must be a uint8 array of shape \(n, 32, 32, 3\)",
    ):
        model.embed(np.zeros((1, 24, 24, 3), np.uint8))
