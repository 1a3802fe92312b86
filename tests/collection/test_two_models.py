"""One collection, two real models (Lite0 and Lite2): each keeps its own vectors, both
find the derivatives of a photo, and --model with aliases picks one everywhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir):
    col = lookalike.create(tmp_path_factory.mktemp("two") / "col")
    col.index(photos_dir, model="lite0", progress=False)
    report = col.index(photos_dir, model="lite2", progress=False)
    assert (report.model, report.embedded, report.unchanged) == ("efficientnet-lite2", 9, 0)
    return col


def test_both_models_are_kept(col):
    assert col.models == ["efficientnet-lite0", "efficientnet-lite2"]
    info = col.info()
    assert {name: m["dim"] for name, m in info.models.items()} == {
        "efficientnet-lite0": 1280,
        "efficientnet-lite0-centre": 1280,  # the centre views made by `index`
        "efficientnet-lite2": 1280,
        "efficientnet-lite2-centre": 1280,
    }
    assert len(col.embeddings("lite2")) == len(col.embeddings()) == 9


def test_neighbours_agree_on_derivatives(col, photos_dir):
    pairs = {"chelsea.png": "chelsea_small.jpg", "astronaut.jpg": "astronaut_300.jpg"}
    for model in ("lite0", "lite2", "efficientnet-lite2"):
        for original, copy in pairs.items():
            hits = col.neighbors(str(photos_dir / original), k=1, model=model)
            assert hits[0].uri == str(photos_dir / copy), (model, original)
    # The top-4 lists of the two models overlap (a compare-like check).
    overlap = []
    for image in col.embeddings().ids:
        a = {h.id for h in col.neighbors(image, k=4, model="lite0")}
        b = {h.id for h in col.neighbors(image, k=4, model="lite2")}
        overlap.append(len(a & b) / 4)
    assert sum(overlap) / len(overlap) >= 0.5, overlap
    query = col.neighbors(query=photos_dir / "rocket.png", k=1, model="lite2")
    assert query[0].uri.endswith(("rocket.png", "rocket_crop.jpg"))


def test_cli_model_option_takes_aliases(col, photos_dir):
    image = col.image(str(photos_dir / "chelsea.png")).id
    result = CliRunner().invoke(
        app, ["neighbors", str(col.root), image, "-k", "2", "--model", "lite2"]
    )
    assert result.exit_code == 0, result.output
    small = col.image(str(photos_dir / "chelsea_small.jpg")).id
    assert "efficientnet-lite2" in result.output and small in result.output
    result = CliRunner().invoke(app, ["neighbors", str(col.root), image, "--model", "lite7"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Unknown model 'lite7'. Known models: ")
    assert "efficientnet-lite1" in result.output and "hf:..." in result.output
    # index without --model uses the collection's first model
    result = CliRunner().invoke(
        app, ["index", str(photos_dir), "-c", str(col.root), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "with efficientnet-lite0" in result.output
