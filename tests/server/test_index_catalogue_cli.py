"""`lookalike index URL-of-a-catalogue's-images -c COL`: a real `lookalike serve` of one
collection on localhost, indexed over HTTP into another by the CLI, ids and pictures
kept; the list's query parameters are sent on to the catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app
from lookalike.sources import records_from
from lookalike.sources.catalogue import is_catalogue_source
from tests.server.conftest import MODEL, free_port

ROOT = Path(__file__).resolve().parents[2]
# The CLI, with the test model registered (tests/conftest.py) so that it can open the
# collection served.
RUN_CLI = (
    "import sys, tests.conftest; from lookalike.cli import app; sys.argv[0] = 'lookalike'; app()"
)


@pytest.fixture(scope="module")
def served(server_col, tmp_path_factory):
    """`lookalike serve COL --port P` in its own process; its URL and its log."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}", COLUMNS="80")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, "serve", str(server_col.root), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "catalogue/v2/images?pageSize=1", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("lookalike serve did not start:\n" + log.read_text())
        time.sleep(0.1)
    yield url, log
    proc.terminate()
    proc.wait(timeout=20)


def test_catalogue_urls_are_told_from_iiif_ones():
    assert is_catalogue_source("https://api.wellcomecollection.org/catalogue/v2/images")
    assert is_catalogue_source("http://localhost:8000/catalogue/v2/images/?query=cat")
    assert not is_catalogue_source("https://iiif.example.org/manifests/b1234/manifest.json")
    assert not is_catalogue_source("http://localhost:8000/catalogue/v2/images/abc123")
    assert not is_catalogue_source("photos/images")


def test_index_a_served_collection_by_its_url(served, server_col, ids, tmp_path, monkeypatch):
    url, _ = served
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    col = tmp_path / "copy"
    source = url + "catalogue/v2/images"
    result = CliRunner().invoke(
        app, ["index", source, "-c", str(col), "-m", MODEL, "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"Indexed {source} with {MODEL}: 9 images seen." in said and "9 added" in said
    copy = lookalike.open(col)
    rows = copy.images().set_index("id")
    assert set(rows.index) == set(ids.values())  # the catalogue's ids are kept
    coffee = rows.loc[ids["coffee.jpg"]]
    assert coffee["uri"] == f"{url}iiif/{ids['coffee.jpg']}/full/!1024,1024/0/default.jpg"
    assert coffee["metadata"]["source"]["title"] == "coffee.jpg"
    assert copy.neighbors(ids["chelsea.png"], k=1)[0].id == ids["chelsea_q50.jpg"]
    # The pictures are cached: indexing again reads them from disk and embeds nothing.
    result = CliRunner().invoke(app, ["index", source, "-c", str(col), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "vectors: 0 embedded, 9 reused" in " ".join(result.output.split())


def test_the_query_of_the_url_goes_to_the_catalogue(served, tmp_path, monkeypatch):
    url, log = served
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    source = url + "catalogue/v2/images?query=chelsea&pageSize=4"
    records = list(records_from(source))
    assert len(records) == 9  # lookalike's own server lists every image: it has no search
    asked = [line for line in log.read_text().splitlines() if "GET /catalogue/v2/images?" in line]
    pages = [line for line in asked if "query=chelsea" in line]
    assert len(pages) >= 3 and all("pageSize=4" in line for line in pages)  # 3 pages of 4


def test_an_unreachable_catalogue_is_one_line_and_leaves_nothing(tmp_path):
    source = f"http://127.0.0.1:{free_port()}/catalogue/v2/images"
    col = tmp_path / "col"
    args = ["index", source, "-c", str(col), "-m", MODEL, "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot reach the catalogue API at http://127.0.0.1:")
    assert not col.exists()
