"""What a newcomer meets first: errors that name the CLI's own options and the missing
file, an `index` that fails leaves no empty collection, `info` lists the models a user
chose (not the centre views the duplicate scores store beside them)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app

runner = CliRunner()
MODEL = "test-pixels"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def col_path(tmp_path_factory, photos_dir):
    path = tmp_path_factory.mktemp("errors") / "col"
    result = invoke("index", photos_dir, "-c", path, "-m", MODEL, "--no-progress")
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("neighbors", "{col}", "{image}", "-k", "0"), "Invalid value for -k: must be an int"),
        (("map", "{col}", "--method", "foo"), "Invalid value for --method: must be one of"),
        (("duplicates", "{col}", "-t", "2"), "Invalid value for --threshold: must be a float"),
        (("clusters", "{col}", "-k", "0"), "Invalid value for -k: must be an int"),
    ],
)
def test_errors_name_the_cli_option(col_path, photos_dir, args, message):
    image = photos_dir / "chelsea.png"
    result = invoke(*(a.format(col=col_path, image=image) for a in args))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}"), result.output
    assert "Collection." not in result.output and len(result.output.splitlines()) == 1


def test_a_missing_query_file_is_named(col_path, tmp_path):
    missing = tmp_path / "nonexistent.jpg"
    result = invoke("neighbors", col_path, "--query", missing)
    assert result.exit_code == 1
    assert result.output == f"Error: Cannot read '{missing}': file not found\n"


def test_index_of_a_missing_source_leaves_no_collection(tmp_path, photos_dir):
    result = invoke("index", tmp_path / "nowhere", "-c", tmp_path / "new", "-m", MODEL)
    assert result.exit_code == 1 and "is not a folder or a file" in result.output
    assert not (tmp_path / "new").exists()
    result = invoke("index", photos_dir, "-c", tmp_path / "new", "-m", "no-such-model")
    assert result.exit_code == 1 and not (tmp_path / "new").exists()


def test_index_failing_on_an_existing_collection_keeps_it(col_path, tmp_path):
    result = invoke("index", tmp_path / "nowhere", "-c", col_path, "-m", MODEL)
    assert result.exit_code == 1
    assert lookalike.open(col_path).info().n_images == 9


def test_info_lists_no_centre_views_as_models(col_path):
    col = lookalike.open(col_path)
    col.duplicates()  # stores the centre views' vectors
    assert f"{MODEL}-grey-centre" in [name for name, _ in col._store.catalog.models()]
    assert list(col.info().models) == [MODEL]  # the web page's /api/collection reads it
    result = invoke("info", col_path)
    assert result.exit_code == 0 and "-centre" not in result.output
    assert f"model {MODEL}: dim 108, 9 images with vectors" in result.output
