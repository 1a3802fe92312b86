"""The seed expansion runs unchanged over the remote catalogue client: its ``similar``
is a neighbours function."""

from __future__ import annotations

from collections import Counter

import httpx

from lookalike.analysis import expand_seed, seed_graph
from lookalike.sources.catalogue import CatalogueClient

TABLE = {"a": ["b", "c"], "b": ["a", "d"], "c": ["d", "a"], "d": ["e", "b"], "e": ["a", "b"]}


def test_expand_seed_over_the_catalogue_client_fetches_each_image_once():
    asked = Counter()

    def handler(request: httpx.Request) -> httpx.Response:
        image_id = request.url.path.rsplit("/", 1)[-1]
        asked[image_id] += 1
        similar = [{"id": i} for i in TABLE[image_id]]  # no scores, like the live API
        return httpx.Response(200, json={"id": image_id, "withSimilarFeatures": similar})

    client = CatalogueClient(
        "http://catalogue.test/catalogue/v2/",
        transport=httpx.MockTransport(handler),
        rate_limit=1000,
        backoff=0.001,
    )
    g = expand_seed(client.similar, "a", depth=2, k=2)
    assert sorted(g.nodes) == ["a", "b", "c", "d"]
    assert dict(g.nodes(data="depth")) == {"a": 0, "b": 1, "c": 1, "d": 2}
    assert asked == Counter({"a": 1, "b": 1, "c": 1})
    assert g.graph["fetched"] == 3


def test_seed_graph_paths_are_iiif_urls_from_the_answers_already_fetched():
    asked = Counter()

    def image(image_id: str) -> dict:
        return {"id": image_id, "thumbnail": {"url": f"http://c.test/iiif/{image_id}/info.json"}}

    def handler(request: httpx.Request) -> httpx.Response:
        image_id = request.url.path.rsplit("/", 1)[-1]
        asked[image_id] += 1
        body = image(image_id)
        if request.url.params.get("include"):
            body["withSimilarFeatures"] = [image(i) | {"score": 0.5} for i in TABLE[image_id]]
        return httpx.Response(200, json=body)

    client = CatalogueClient(
        "http://c.test/catalogue/v2/", transport=httpx.MockTransport(handler), rate_limit=1000
    )
    g = seed_graph(client.similar, "a", depth=2, k=2, paths=client.picture_url)
    assert g.nodes["d"]["path"] == "http://c.test/iiif/d/full/!256,256/0/default.jpg"
    assert asked == Counter({"a": 1, "b": 1, "c": 1})  # no request for the paths
    assert client.picture_url("e", max_side=64) == "http://c.test/iiif/e/full/!64,64/0/default.jpg"
    assert asked["e"] == 1
