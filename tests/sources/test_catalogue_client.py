"""The catalogue client's transport: retries with backoff, rate limit, disk cache and
its errors, against a scripted server (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from lookalike.errors import ImageNotFound
from lookalike.sources.catalogue import CatalogueClient, CatalogueUnavailable

BASE = "http://catalogue.test/catalogue/v2/"
IMAGE = {
    "type": "Image",
    "id": "a1",
    "thumbnail": {"url": "http://iiif.test/image/a1/info.json"},
    "source": {"id": "w1", "title": "A work", "type": "Work"},
    "withSimilarFeatures": [{"id": "b2"}, {"id": "c3"}],  # the live API gives no score
}


def scripted(*responses):
    """A transport answering with ``responses`` in turn; records the requests."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = responses[min(len(seen) - 1, len(responses) - 1)]
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


def client(transport, **kw) -> CatalogueClient:
    kw.setdefault("backoff", 0.001)
    kw.setdefault("rate_limit", 1000)
    return CatalogueClient(BASE, transport=transport, **kw)


def test_retries_transient_failures_then_succeeds():
    transport, seen = scripted(
        httpx.ConnectError("refused"),
        httpx.Response(503),
        httpx.Response(200, json=IMAGE),
    )
    hits = client(transport).similar("a1", k=5)
    assert [h[0] for h in hits] == ["b2", "c3"]
    assert len(seen) == 3
    assert seen[-1].url.params["include"] == "withSimilarFeatures"
    assert "k" not in seen[-1].url.params  # the live API has no k; 5 is its default


def test_gives_up_with_a_clear_error():
    transport, seen = scripted(httpx.Response(502))
    with pytest.raises(CatalogueUnavailable, match=r"catalogue.test.*HTTP 502 \(3 tries\)"):
        client(transport, retries=2).image("a1")
    assert len(seen) == 3


@pytest.fixture()
def sleeps(monkeypatch):
    """The waits the client asks for, recorded instead of slept, on a clock that does not
    move (a busy machine must not shorten the waits the test expects)."""
    from lookalike.sources import http

    waits: list[float] = []
    monkeypatch.setattr(http.time, "sleep", waits.append)
    monkeypatch.setattr(http.time, "monotonic", lambda: 1000.0)
    return waits


def test_backoff_doubles_and_honours_retry_after(sleeps):
    transport, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(503))
    with pytest.raises(CatalogueUnavailable):
        client(transport, retries=3, backoff=0.5, rate_limit=1e9).image("a1")
    assert [round(w, 3) for w in sleeps if w > 1e-6] == [7.0, 1.0, 2.0]


def test_rate_limit_spaces_requests(sleeps):
    transport, _ = scripted(httpx.Response(200, json=IMAGE))
    c = client(transport, rate_limit=2)
    for i in range(4):
        c.image(f"a{i}")
    # The clock does not move while sleeps are recorded, so each turn is 0.5 s later.
    assert sleeps == pytest.approx([0.5, 1.0, 1.5], abs=0.05)


def test_disk_cache_answers_repeated_requests(tmp_path):
    transport, seen = scripted(httpx.Response(200, json=IMAGE))
    c = client(transport, cache_dir=tmp_path)
    assert c.image("a1") == c.image("a1") == IMAGE
    assert len(seen) == 1
    again = client(transport, cache_dir=tmp_path)  # a new process, same cache
    assert again.image("a1") == IMAGE and len(seen) == 1


def test_scores_missing_are_nan_and_k_is_sent_when_not_5():
    transport, seen = scripted(httpx.Response(200, json=IMAGE))
    hits = client(transport).similar("a1", k=1)
    assert hits[0][0] == "b2" and hits[0][1] != hits[0][1]  # NaN
    assert seen[0].url.params["k"] == "1"


def test_http_errors_are_typed():
    error = {"type": "Error", "httpStatus": 404, "description": "Image not found for ID zz"}
    transport, _ = scripted(httpx.Response(404, json=error))
    with pytest.raises(ImageNotFound, match="Image not found for ID zz"):
        client(transport).image("zz")
    transport, _ = scripted(httpx.Response(400, json={"description": "bad include"}))
    with pytest.raises(ValueError, match="HTTP 400: bad include"):
        client(transport).image("zz")


def test_records_follow_pages_and_point_at_iiif():
    page1 = {"results": [IMAGE], "nextPage": BASE + "images?page=2"}
    page2 = {"results": [{**IMAGE, "id": "d4"}]}
    transport, _ = scripted(httpx.Response(200, json=page1), httpx.Response(200, json=page2))
    records = list(client(transport).records(max_side=512))
    assert [r.id for r in records] == ["a1", "d4"]
    assert records[0].uri == "http://iiif.test/image/a1/full/!512,512/0/default.jpg"
    assert records[0].metadata["source"]["title"] == "A work"
    assert records[0].metadata["iiif_service"] == "http://iiif.test/image/a1"
    assert not records[0].is_local


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base": "ftp://x"}, r"'base' parameter of CatalogueClient must be an http\(s\) URL"),
        ({"include": "similar"}, r"'include' parameter .* Got 'similar' instead"),
        ({"rate_limit": 0}, r"'rate_limit' parameter .* \(0, inf\)"),
        ({"retries": -1}, r"'retries' parameter .* Got -1"),
    ],
)
def test_bad_arguments(kwargs, match):
    base = kwargs.pop("base", BASE)
    with pytest.raises(ValueError, match=match):
        CatalogueClient(base, **kwargs)


def test_bad_k():
    transport, _ = scripted(httpx.Response(200, json=IMAGE))
    with pytest.raises(ValueError, match=r"'k' parameter of CatalogueClient.image .* Got 0"):
        client(transport).similar("a1", k=0)
