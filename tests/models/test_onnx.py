"""ONNX backend: the exported default model agrees with torch; any ONNX file with a
sidecar; clear errors for bad files and parameters."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from skimage import data

from lookalike.errors import ModelUnavailable
from lookalike.models import get_backbone, resolve
from lookalike.models.efficientnet_lite import EfficientNetLite0
from lookalike.models.onnx import OnnxBackbone, export_onnx, read_sidecar, sidecar_path


def photos(size: int = 224) -> np.ndarray:
    names = ("chelsea", "coffee", "astronaut")
    imgs = [Image.fromarray(getattr(data, n)()).convert("RGB") for n in names]
    return np.stack([np.asarray(im.resize((size, size), Image.BILINEAR)) for im in imgs])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "lite0.onnx"
    assert export_onnx(out, "lite0") == out  # copied from the user's export cache
    return out


def tiny_graph(path, *, dtype="float", shape=("n", 3, 8, 8)):
    """A real ONNX model: global average pool of the normalised input -> (n, 3, 1, 1)."""
    import onnx
    from onnx import TensorProto, helper

    elem = TensorProto.FLOAT if dtype == "float" else TensorProto.UINT8
    nodes = [helper.make_node("GlobalAveragePool", ["x"], ["pooled"])]
    if dtype != "float":
        nodes = [
            helper.make_node("Cast", ["x"], ["xf"], to=TensorProto.FLOAT),
            helper.make_node("GlobalAveragePool", ["xf"], ["pooled"]),
        ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", elem, list(shape))],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_export_agrees_with_torch(exported):
    params = read_sidecar(exported)
    assert params["input_size"] == 224 and params["layout"] == "NHWC"
    assert resolve(f"onnx:{exported}") == "onnx-lite0"
    model = get_backbone(f"onnx:{exported}")
    assert isinstance(model, OnnxBackbone)
    assert (model.name, model.dim, model.input_size) == ("onnx-lite0", 1280, 224)
    images = photos()
    a = model.embed(images)
    b = EfficientNetLite0(runtime="torch").embed(images)
    cosine = np.sum(a * b, axis=1)
    assert cosine.min() > 0.999, cosine
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_float_model_with_mean_std(tmp_path):
    path = tiny_graph(tmp_path / "pool.onnx")
    sidecar_path(path).write_text(
        json.dumps({"input_size": 8, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.25, 0.1]})
    )
    model = OnnxBackbone.from_file(path)
    assert (model.name, model.dim, model.input_size) == ("onnx-pool", 3, 8)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    expected = ((images / 255.0 - 0.5) / np.array([0.5, 0.25, 0.1])).mean(axis=(1, 2))
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(model.embed(images), expected, atol=1e-5)
    assert model.embed(images[:0]).shape == (0, 3)


def test_fixed_input_size_and_nhwc_uint8(tmp_path):
    path = tiny_graph(tmp_path / "fixed.onnx", dtype="uint8", shape=(1, 3, 16, 16))
    model = OnnxBackbone(path, name="Mine")
    assert (model.name, model.input_size) == ("onnx-mine", 16)
    with pytest.raises(ValueError, match=r"takes uint8 pixels .*give no mean/std"):
        OnnxBackbone(path, mean=(0.5, 0.5, 0.5))


def test_bad_files_and_parameters(tmp_path):
    with pytest.raises(ModelUnavailable, match=r"ONNX model '.*missing.onnx' does not exist"):
        get_backbone(f"onnx:{tmp_path / 'missing.onnx'}")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable, match=r"ONNX Runtime cannot load '.*junk.onnx'"):
        OnnxBackbone(junk, input_size=8)
    path = tiny_graph(tmp_path / "dyn.onnx", shape=("n", 3, "h", "w"))
    with pytest.raises(ValueError, match=r"has no fixed square input size .*give 'input_size'"):
        OnnxBackbone(path)
    with pytest.raises(ValueError, match="The 'layout' parameter of OnnxBackbone"):
        OnnxBackbone(path, input_size=8, layout="CHW")
    with pytest.raises(ValueError, match="The 'output' parameter of OnnxBackbone"):
        OnnxBackbone(path, input_size=8, output="logits")
    with pytest.raises(ValueError, match="'mean' and 'std' parameters of OnnxBackbone"):
        OnnxBackbone(path, input_size=8, std=(1, 0, 1))
    sidecar_path(path).write_text('{"input_size": 8, "colour": "blue"}')
    with pytest.raises(ValueError, match=r"must be a JSON object with keys among .*\['colour'\]"):
        OnnxBackbone.from_file(path)
    model = OnnxBackbone(path, input_size=8)
    with pytest.raises(ValueError, match=r"OnnxBackbone.embed must be a uint8 array"):
        model.embed(np.zeros((1, 9, 9, 3), np.uint8))


def test_export_rejects_other_models(tmp_path):
    with pytest.raises(ModelUnavailable, match="Only the built-in models can be exported"):
        export_onnx(tmp_path / "x.onnx", f"onnx:{tmp_path / 'y.onnx'}")


def test_cli_export_onnx_then_index_with_it(tmp_path, photos_dir):
    from typer.testing import CliRunner

    import lookalike
    from lookalike.cli import app

    out = tmp_path / "models" / "lite0.onnx"
    result = CliRunner().invoke(app, ["export-onnx", str(out), "--model", "lite0"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and sidecar_path(out).is_file()
    col = lookalike.create(tmp_path / "col")
    report = col.index(photos_dir, model=f"onnx:{out}", progress=False)
    assert (report.model, report.embedded) == ("onnx-lite0", 9)
    hits = col.neighbors(str(photos_dir / "chelsea.png"), k=1, model=f"onnx:{out}")
    assert hits[0].uri.endswith("chelsea_small.jpg")
    result = CliRunner().invoke(app, ["export-onnx", str(out), "--model", "resnet-9000"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Unknown model 'resnet-9000'. Known models:")
