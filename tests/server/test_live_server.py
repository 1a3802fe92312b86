"""The real server on localhost, driven over HTTP: a client written the way notebook
users write it (requests + networkx), and lookalike's own catalogue client."""

from __future__ import annotations

import io

import networkx as nx
import pytest
import requests
from PIL import Image

import lookalike
from lookalike.errors import ImageNotFound
from lookalike.sources.catalogue import CatalogueClient, CatalogueUnavailable
from tests.server.conftest import free_port


def test_a_notebook_client_works_by_changing_only_base(live_server, ids):
    """Code written against the Wellcome catalogue API, with only ``base`` changed."""
    base = live_server.url + "catalogue/v2"
    seed = ids["chelsea.png"]

    graph = nx.Graph()
    frontier = [seed]
    for _depth in range(2):
        next_frontier = []
        for image_id in frontier:
            r = requests.get(f"{base}/images/{image_id}?include=visuallySimilar", timeout=10)
            r.raise_for_status()
            image = r.json()
            graph.add_node(image_id, thumbnail=image["thumbnail"]["url"])
            for similar in image["visuallySimilar"]:
                if similar["id"] not in graph:
                    next_frontier.append(similar["id"])
                graph.add_node(similar["id"], thumbnail=similar["thumbnail"]["url"])
                graph.add_edge(image_id, similar["id"], weight=similar["score"])
        frontier = next_frontier

    assert 6 < graph.number_of_nodes() <= 9
    assert max(nx.single_source_shortest_path_length(graph, seed).values()) == 2
    assert graph.degree[seed] == 5
    assert graph[seed][ids["chelsea_q50.jpg"]]["weight"] > 0.99
    for _node, data in graph.nodes(data=True):
        url = data["thumbnail"].replace("info.json", "full/400,/0/default.jpg")
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(response.content)).width == 400


def test_bad_input_over_http_keeps_the_server_serving(live_server, ids):
    base = live_server.url
    for url, status in [
        ("catalogue/v2/images/nope", 404),
        (f"catalogue/v2/images/{ids['coffee.jpg']}?include=visuallySimilar&k=0", 400),
        (f"iiif/{ids['coffee.jpg']}/full/400,/33/default.jpg", 400),
        (f"iiif/{ids['coffee.jpg']}/full/^100000,/0/default.jpg", 400),
    ]:
        response = requests.get(base + url, timeout=10)
        assert response.status_code == status
        assert response.json()["httpStatus"] == status
    junk = requests.post(base + "api/neighbors", files={"file": ("x.jpg", b"junk")}, timeout=10)
    assert junk.status_code == 400 and junk.json()["type"] == "Error"
    assert requests.get(base + "openapi.json", timeout=10).json()["info"]["title"] == "lookalike"


def test_catalogue_client_against_the_local_server(live_server, ids, tmp_path):
    base = live_server.url + "catalogue/v2/"
    with CatalogueClient(base, cache_dir=tmp_path / "cache", rate_limit=200) as client:
        hits = client.similar(ids["astronaut.jpg"], k=3)
        assert hits[0][0] == ids["astronaut_440.jpg"] and len(hits) == 3
        assert all(isinstance(s, float) for _, s in hits)
        old_name = CatalogueClient(base, include="visuallySimilar", rate_limit=200)
        assert old_name.similar(ids["astronaut.jpg"], k=3) == hits
        assert len(list(client.images(page_size=4))) == 9
        with pytest.raises(ImageNotFound, match=r"No image 'nope' in this collection"):
            client.image("nope")
        with pytest.raises(ValueError, match=r"HTTP 400: The 'k' parameter"):
            client.similar(ids["astronaut.jpg"], k=1000)
    assert list((tmp_path / "cache").rglob("*.json"))  # responses were cached


def test_index_a_remote_catalogue(live_server, ids, tmp_path):
    """Ingest the served collection through its catalogue API into a new collection."""
    client = CatalogueClient(
        live_server.url + "catalogue/v2/", cache_dir=tmp_path / "cache", rate_limit=200
    )
    remote = lookalike.create(tmp_path / "remote")
    report = remote.index(client.records(max_side=256), model="test-pixels", progress=False)
    assert report.embedded == 9 and not report.failed
    rows = remote.images().set_index("id")
    assert set(rows.index) == set(ids.values())  # the catalogue's ids are kept
    row = rows.loc[ids["coffee.jpg"]]
    assert row["uri"].endswith(f"iiif/{ids['coffee.jpg']}/full/!256,256/0/default.jpg")
    assert row["metadata"]["source"]["title"] == "coffee.jpg"
    hits = remote.neighbors(ids["chelsea.png"], k=1)
    assert hits[0].id == ids["chelsea_q50.jpg"]


def test_unreachable_server_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/catalogue/v2/"  # nothing listens there
    client = CatalogueClient(url, retries=2, backoff=0.01, rate_limit=1000)
    with pytest.raises(CatalogueUnavailable, match=r"Cannot reach the catalogue API at .*"):
        client.similar("abc")
    with pytest.raises(CatalogueUnavailable, match=r"connection failed.*\(3 tries\)"):
        client.similar("abc")
