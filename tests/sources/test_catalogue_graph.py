"""The seed expansion runs unchanged over the remote catalogue client: its ``similar``
is a neighbours function."""

from __future__ import annotations

from collections import Counter

import httpx

from lookalike.analysis import expand_seed
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
