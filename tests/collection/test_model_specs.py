"""A collection remembers the spec its hf:/onnx: model was made from: a new process
embeds new and outside images with it (index, add, neighbors --query, centre-view
duplicate scores, the server's uploads) without being told the spec again; a spec that
no longer loads is one clear error; a catalog written before specs were recorded opens
and behaves as before."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import lookalike
from lookalike.errors import ModelUnavailable
from lookalike.models import registry, spec_of
from lookalike.models.onnx import sidecar_path
from lookalike.pipeline import index_records
from lookalike.sources import records_from
from lookalike.store.catalog import SCHEMA_VERSION
from tests.models.test_onnx import tiny_graph

SRC = Path(lookalike.__file__).resolve().parent.parent
INDEXED = ("chelsea.png", "coffee.jpg", "astronaut.jpg", "rocket.png", "rocket_crop.jpg")


def tiny_model(folder: Path) -> Path:
    """A real ONNX model (tests/models/test_onnx.py's): the mean colour, normalised."""
    folder.mkdir(parents=True, exist_ok=True)
    path = tiny_graph(folder / "tiny.onnx")
    params = {"input_size": 8, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}
    sidecar_path(path).write_text(json.dumps(params))
    return path


def run_fresh(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python *args`` in a new process (a registry that knows no hf:/onnx: model)."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def forget(monkeypatch, name: str) -> None:
    """This process's registry forgets ``name``, as a new process's does not know it."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_ALIASES", dict(registry._ALIASES))
    monkeypatch.setattr(registry, "_LOADED", dict(registry._LOADED))
    registry._REGISTRY.pop(name, None)
    registry._LOADED.pop(name, None)
    for alias in [a for a, n in registry._ALIASES.items() if n == name]:
        del registry._ALIASES[alias]


@pytest.fixture()
def indexed(tmp_path, photos_dir, monkeypatch):
    """(collection, model file, photos folder): five photos indexed with onnx:<file>,
    named by a path relative to the working directory."""
    forget(monkeypatch, "onnx-tiny")  # the onnx-tiny of another test
    model = tiny_model(tmp_path / "models")
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in INDEXED:
        shutil.copy(photos_dir / name, photos / name)
    monkeypatch.chdir(tmp_path)
    col = lookalike.create(tmp_path / "col")
    report = col.index(photos, model="onnx:models/tiny.onnx", progress=False)
    assert (report.model, report.embedded) == ("onnx-tiny", 5)
    monkeypatch.chdir(photos)  # the relative spec does not name the file from here
    return col, model, photos


def test_the_spec_is_recorded_with_absolute_paths(indexed):
    col, model, _ = indexed
    catalog = col._store.catalog
    assert catalog.model_spec("onnx-tiny") == f"onnx:{model}"
    assert spec_of("lite0") == "efficientnet-lite0" and spec_of("no-such-model") is None
    assert spec_of("onnx-tiny") == f"onnx:{model}"


FRESH = """
import json, lookalike
from lookalike.models import registry
from lookalike.server import create_app
from fastapi.testclient import TestClient
assert "onnx-tiny" not in registry._ALIASES
col = lookalike.open({col!r})
added = col.add([{extra!r}], progress=False)
hits = col.neighbors(query={query!r}, k=2)
dups = col.duplicates()
with open({query!r}, "rb") as f:
    upload = TestClient(create_app(col)).post("/api/neighbors", files={{"file": f}})
print(json.dumps({{
    "added": [added.model, added.embedded, added.failed],
    "hits": [[h.uri, h.score] for h in hits],
    "notes": dups.notes,
    "models": [name for name, _ in col._store.catalog.models()],
    "upload": [upload.status_code, upload.json()["results"][0]["id"]],
}}))
"""


def test_a_new_process_embeds_with_the_recorded_spec(indexed, photos_dir):
    col, _, photos = indexed
    code = FRESH.format(
        col=str(col.root),
        extra=str(photos_dir / "chelsea_small.jpg"),
        query=str(photos_dir / "coffee.jpg"),
    )
    done = run_fresh("-c", code, cwd=photos)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["added"] == ["onnx-tiny", 1, []]  # embedded, not "imported"
    assert out["hits"][0] == [str(photos / "coffee.jpg"), pytest.approx(1.0, abs=1e-5)]
    assert out["notes"] == []  # centre scores, no "imported vectors" note
    assert out["models"] == ["onnx-tiny", "onnx-tiny-grey-centre"]
    assert out["upload"] == [200, col.image(str(photos / "coffee.jpg")).id]


def test_a_moved_model_file_is_one_clear_error_until_named_again(indexed, photos_dir, tmp_path):
    col, model, photos = indexed
    moved = tmp_path / "elsewhere" / "tiny.onnx"
    moved.parent.mkdir()
    model.rename(moved)
    sidecar_path(model).rename(sidecar_path(moved))
    query = str(photos_dir / "coffee.jpg")
    done = run_fresh(
        "-m", "lookalike.cli", "neighbors", str(col.root), "--query", query, cwd=photos
    )
    assert done.returncode == 1, done.stdout
    assert done.stderr.strip() == (
        f"Error: Model 'onnx-tiny' of this collection was made from 'onnx:{model}', which "
        f"does not load here: ONNX model '{model}' does not exist. Put the file back, or "
        "name the model by its new place (--model onnx:<file>): indexing with it records "
        "that spec."
    )
    # Named by its new place once, in `index`, it is recorded there.
    report = col.index(photos, model=f"onnx:{moved}", progress=False)
    assert (report.model, report.embedded, report.unchanged) == ("onnx-tiny", 0, 5)
    assert col._store.catalog.model_spec("onnx-tiny") == f"onnx:{moved}"
    extra = str(photos_dir / "hubble_deep_field.png")
    code = f"import lookalike; col = lookalike.open({str(col.root)!r}); print(col.add([{extra!r}]))"
    done = run_fresh("-c", code, cwd=photos)
    assert done.returncode == 0, done.stderr
    assert "1 embedded" in done.stdout


def test_a_dead_spec_leaves_centre_views_to_the_whole_vectors(indexed, monkeypatch, photos_dir):
    col, model, _ = indexed
    # one image indexed without its centre view (as before views were made by `index`)
    extra = records_from([photos_dir / "hubble_deep_field.png"])
    index_records(col._store, extra, col._backbone("onnx-tiny"), views=False)
    model.unlink()
    forget(monkeypatch, "onnx-tiny")
    found = col.duplicates()
    assert len(found.notes) == 1  # the 5 centre views stored by `index` need no model
    assert found.notes[0].startswith(
        "1 of 6 images have no centre view (the model cannot run here: Model 'onnx-tiny' "
        f"of this collection was made from 'onnx:{model}', which does not load here"
    )


def test_a_spec_that_now_names_another_model(indexed, photos_dir, monkeypatch):
    col, model, _ = indexed
    sidecar_path(model).write_text(json.dumps({"input_size": 8, "name": "renamed"}))
    forget(monkeypatch, "onnx-tiny")
    with pytest.raises(
        ModelUnavailable,
        match=r"^Model 'onnx-tiny' of this collection was made from 'onnx:.*tiny.onnx', "
        r"which now gives the model 'onnx-renamed'\. Put the file back, or name the model",
    ):
        col.add([photos_dir / "chelsea_small.jpg"], progress=False)


def test_a_spec_whose_vectors_changed_length(indexed, photos_dir, monkeypatch):
    import onnx
    from onnx import TensorProto, helper

    col, model, _ = indexed
    graph = helper.make_graph(  # flattened pixels: 192-d instead of 3
        [helper.make_node("Flatten", ["x"], ["flat"])],
        "flat",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 8, 8])],
        [helper.make_tensor_value_info("flat", TensorProto.FLOAT, None)],
    )
    flat = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    flat.ir_version = 8
    onnx.save(flat, str(model))
    forget(monkeypatch, "onnx-tiny")
    with pytest.raises(
        ModelUnavailable,
        match=r"^Model 'onnx-tiny' has dim=3 in this collection, but 'onnx:.*tiny.onnx' "
        r"now gives vectors of dim=192: it is another model\.",
    ):
        col.neighbors(query=photos_dir / "coffee.jpg")


def downgrade_to_v1(root: Path) -> None:
    """Make the catalog at ``root`` as lookalike wrote it before specs were recorded
    (and before encodings, version 3, were)."""
    conn = sqlite3.connect(root / "catalog.sqlite")
    conn.execute("ALTER TABLE models DROP COLUMN spec")
    conn.execute("ALTER TABLE models DROP COLUMN encoding")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def test_an_old_catalog_opens_and_behaves_as_before(indexed, photos_dir, monkeypatch):
    col, model, photos = indexed
    before = col.embeddings()
    col._store.close()
    downgrade_to_v1(col.root)
    forget(monkeypatch, "onnx-tiny")
    col = lookalike.open(col.root)
    catalog = col._store.catalog
    version = catalog._query("SELECT value FROM meta WHERE key = 'schema_version'")[0][0]
    assert int(version) == SCHEMA_VERSION == 3
    assert catalog.model_spec("onnx-tiny") is None
    assert catalog.model_encoding("onnx-tiny") is None  # float32, as the model gives them
    after = col.embeddings()
    assert list(after.ids) == list(before.ids) and (after.vectors == before.vectors).all()
    # As before specs were recorded: the name alone cannot embed, scores are root scores.
    with pytest.raises(ModelUnavailable, match=r"name it as onnx:<file> to embed new images"):
        col.add([photos_dir / "chelsea_small.jpg"], progress=False)
    assert "were imported" in col.duplicates().notes[0]
    # Indexing once with the spec records it.
    col.index(photos, model=f"onnx:{model}", progress=False)
    assert catalog.model_spec("onnx-tiny") == f"onnx:{model}"
    forget(monkeypatch, "onnx-tiny")
    assert col.add([photos_dir / "chelsea_small.jpg"], progress=False).embedded == 1


def test_imported_vectors_record_no_spec(indexed):
    import numpy as np

    col, _, photos = indexed
    ids = list(col.embeddings().ids)
    np.save(photos.parent / "ext.npy", np.eye(len(ids), 4, dtype=np.float32) + 0.1)
    (photos.parent / "ids.txt").write_text("\n".join(ids) + "\n")
    col.import_vectors(photos.parent / "ext.npy", ids=photos.parent / "ids.txt", model="ext")
    assert col._store.catalog.model_spec("ext") is None
    with pytest.raises(ModelUnavailable, match="'ext' holds vectors imported"):
        col.neighbors(query=photos / "coffee.jpg", model="ext")


def test_a_hugging_face_folder_is_remembered(tmp_path, photos_dir, monkeypatch):
    import torch  # the dev extra installs transformers: never skipped
    import transformers

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    torch.manual_seed(0)
    config = transformers.ResNetConfig(embedding_size=8, hidden_sizes=[8, 12], depths=[1, 1])
    folder = tmp_path / "tiny-resnet"
    transformers.ResNetModel(config).eval().save_pretrained(folder)
    monkeypatch.chdir(tmp_path)
    forget(monkeypatch, "hf-tiny-resnet")
    col = lookalike.create(tmp_path / "col")
    col.index([photos_dir / n for n in INDEXED], model="hf:tiny-resnet", progress=False)
    assert col._store.catalog.model_spec("hf-tiny-resnet") == f"hf:{folder}"
    code = (
        f"import lookalike; col = lookalike.open({str(col.root)!r}); "
        f"print(col.neighbors(query={str(photos_dir / 'coffee.jpg')!r}, k=1)[0].uri); "
        "print(col.duplicates().notes)"
    )
    done = run_fresh("-c", code, cwd=photos_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [str(photos_dir / "coffee.jpg"), "[]"]
