"""The JSON routes and HTML pages the web page uses, in-process: shapes, the friendly
404 page, and every bad input in the one error shape."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import lookalike
from lookalike.models import get_backbone
from lookalike.pipeline import index_records
from lookalike.server import Settings, create_app
from lookalike.sources import records_from
from tests.server.test_api import assert_error


@pytest.fixture(scope="module")
def writable(server_col) -> TestClient:
    """A server started with ``--allow-labels``."""
    with TestClient(create_app(server_col, settings=Settings(allow_labels=True))) as c:
        yield c


def test_collection_summary(client):
    body = client.get("/api/collection").json()
    assert body["images"] == body["indexed"] == 9 and body["failed"] == 0
    # (the centre views `index` made are part of the model, not listed as another)
    assert body["models"] == [
        {
            "name": "test-pixels",
            "dim": 108,
            "vectors": 9,
            "encoding": "float32",
            "bytes_per_image": 432,
        }
    ]
    assert "/" not in body["name"]


def test_find_images_by_id_or_file_name(client, ids):
    body = client.get("/api/images", params={"q": "CHELSEA"}).json()
    assert body["total"] == 2
    assert {r["title"] for r in body["results"]} == {"chelsea.png", "chelsea_q50.jpg"}
    body = client.get("/api/images", params={"q": ids["coffee.jpg"][:6]}).json()
    assert ids["coffee.jpg"] in [r["id"] for r in body["results"]]
    page = client.get("/api/images", params={"offset": 8, "limit": 5}).json()
    assert page["total"] == 9 and len(page["results"]) == 1
    assert_error(
        client.get("/api/images", params={"limit": 0}),
        400,
        r"limit: Input should be greater than or equal to 1",
    )
    assert_error(
        client.get("/api/images", params={"offset": -1}),
        400,
        r"offset: Input should be greater than or equal to 0",
    )


def test_image_metadata_has_no_paths(client, ids):
    body = client.get(f"/api/images/{ids['coffee.jpg']}").json()
    assert body["title"] == "coffee.jpg" and body["width"] == 600 and body["height"] == 400
    assert body["models"] == ["test-pixels"]
    assert "uri" not in body and "/" not in str(body["metadata"])
    assert_error(client.get("/api/images/nope"), 404, r"No image 'nope'")


def test_neighbour_hits_carry_titles(client, ids):
    body = client.get(f"/api/neighbors/{ids['astronaut.jpg']}", params={"k": 1}).json()
    assert body["results"][0]["title"] == "astronaut_440.jpg"


def test_pages_and_the_friendly_404(client, ids):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/collection.js">' in page.text
    page = client.get(f"/image/{ids['coffee.jpg']}")
    assert page.status_code == 200 and 'data-title="coffee.jpg"' in page.text
    missing = client.get("/image/<script>", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "Not found" in missing.text
    assert "<script>'" not in missing.text and "&lt;script&gt;" in missing.text
    assert client.get("/no/such/page", headers={"accept": "text/html"}).status_code == 404
    assert "Not found" in client.get("/no/such/page", headers={"accept": "text/html"}).text
    # API clients still get the JSON error shape
    assert_error(client.get("/no/such/page"), 404, r"No such endpoint")
    assert_error(client.get("/api/nope", headers={"accept": "text/html"}), 404, "No such")
    assert client.get("/static/js/common.js").headers["content-type"].startswith("text/javascript")
    for name in ("d3-force", "d3-quadtree", "d3-dispatch", "d3-timer"):
        assert client.get(f"/static/vendor/{name}.min.js").status_code == 200
        assert "Copyright" in client.get(f"/static/vendor/{name}.LICENSE").text


def test_every_page_is_there_and_linked(client):
    home = client.get("/").text
    for page in ("duplicates", "path", "graph", "clusters"):
        response = client.get(f"/{page}")
        assert response.status_code == 200, page
        assert f'<script type="module" src="/static/js/{page}.js">' in response.text
        assert f'href="/{page}"' in home


def test_duplicates_labels_and_exports(writable, ids):
    client = writable
    body = client.get("/api/duplicates", params={"threshold": 0.9}).json()
    assert body["labels_writable"] is True and client.get("/api/labels").json()["writable"]
    assert body["total"] >= 1 and body["pairs"][0]["score"] >= 0.9
    first = body["pairs"][0]
    assert {first["title_a"], first["title_b"]} <= set(ids)
    assert client.get("/api/calibration").json()["calibrated"] in (False, True)
    saved = client.post("/api/labels", json={"a": first["a"], "b": first["b"], "label": "same"})
    assert saved.status_code == 200 and saved.json()["labelled"] >= 1
    again = client.get("/api/duplicates", params={"threshold": 0.9}).json()["pairs"][0]
    assert again["label"] == "same"
    labels = client.get("/api/labels").json()["labels"]
    assert {
        "a": min(first["a"], first["b"]),
        "b": max(first["a"], first["b"]),
        "label": "same",
    } in labels
    csv_text = client.get("/api/duplicates/pairs.csv", params={"threshold": 0.9}).text
    lines = list(csv.reader(io.StringIO(csv_text)))
    assert lines[0] == ["a", "b", "score", "title_a", "title_b", "uri_a", "uri_b", "label"]
    # A person can act on the file alone: each row names the files, a score in [-1, 1].
    assert all(Path(row[5]).is_file() and Path(row[6]).is_file() for row in lines[1:])
    assert all(-1 <= float(row[2]) <= 1 for row in lines[1:])
    kept = client.get("/api/duplicates/dedup.csv", params={"threshold": 0.9}).text.splitlines()
    assert kept[0] == "id,title,uri" and len(kept) - 1 < 9
    assert_error(client.get("/api/duplicates", params={"threshold": 2}), 400, r"threshold: Input")
    assert_error(
        client.get("/api/duplicates", params={"threshold": 0.2}),
        400,
        r"threshold: 0.2 is below this server's floor of 0.5",
    )
    assert_error(
        client.post("/api/labels", json={"a": first["a"], "b": "nope", "label": "same"}),
        404,
        r"No image 'nope'",
    )
    assert_error(
        client.post("/api/labels", json={"a": first["a"], "b": first["b"], "label": "maybe"}),
        400,
        r"label",
    )
    assert_error(
        client.post("/api/labels", json={"a": first["a"], "b": first["a"], "label": "same"}),
        400,
        r"two different images",
    )


def test_labels_are_refused_by_a_read_only_server(client, ids):
    """The default server changes nothing: POST /api/labels is 403, whatever the body."""
    before = client.get("/api/labels").json()
    assert before["writable"] is False
    body = client.get("/api/duplicates", params={"threshold": 0.9}).json()
    assert body["labels_writable"] is False
    a, b = ids["coffee.jpg"], ids["rocket.png"]
    for payload in ({"a": a, "b": b, "label": "different"}, {"junk": 1}):
        assert_error(
            client.post("/api/labels", json=payload),
            403,
            r"^This server is read-only: start it with 'lookalike serve --allow-labels'",
        )
    assert client.get("/api/labels").json()["labels"] == before["labels"]


def test_the_server_embeds_no_centre_view_and_says_so(tmp_path, wide_photos):
    """Duplicate scores on the server use the centre views `index` (or, for a collection
    indexed without them, `lookalike duplicates`) stored; a read-only server computes
    none (the whole picture stands in, with a note)."""
    indexed = lookalike.create(tmp_path / "indexed")
    indexed.index(wide_photos, model="test-pixels", progress=False)
    with TestClient(create_app(indexed, settings=Settings(precompute=False))) as c:
        body = c.get("/api/duplicates", params={"threshold": 0.5}).json()
    assert body["notes"] == [] and body["method"] == "exact, centre scores"

    col = lookalike.create(tmp_path / "col")  # indexed without centre views
    index_records(col._store, records_from(wide_photos), get_backbone("test-pixels"), views=False)

    def answers() -> tuple[dict, str, str]:
        with TestClient(create_app(col, settings=Settings(precompute=False))) as c:
            body = c.get("/api/duplicates", params={"threshold": 0.5}).json()
            return body, c.get("/api/duplicates/dedup.csv").text, c.get("/api/calibration").text

    body, _, _ = answers()
    assert body["method"] == "exact, centre scores" and body["total"] >= 1
    assert body["notes"] == [
        "9 of 9 images have no centre view (none is computed here; `lookalike duplicates` "
        "computes them): their whole-picture vector stands in for it."
    ]
    assert "test-pixels-grey-centre" not in dict(col._store.catalog.models())
    col.duplicates()  # what `lookalike duplicates` does: now they are there
    body, _, _ = answers()
    assert body["notes"] == [] and body["method"] == "exact, centre scores"


def test_path_api(client, ids):
    body = client.get(
        "/api/path", params={"a": ids["astronaut.jpg"], "b": ids["rocket.png"]}
    ).json()
    assert body["images"][0]["title"] == "astronaut.jpg"
    assert body["images"][-1]["title"] == "rocket.png"
    assert len(body["similarities"]) == body["steps"] == len(body["images"]) - 1
    assert_error(client.get("/api/path", params={"a": "nope", "b": "x"}), 404, "No image 'nope'")
    assert_error(
        client.get("/api/path", params={"a": ids["rocket.png"], "b": ids["rocket.png"]}),
        400,
        "same image",
    )
    assert_error(
        client.get("/api/path", params={"a": "x", "b": "y", "method": "zigzag"}), 400, "method"
    )


def test_graph_api(client, ids):
    seed = ids["chelsea.png"]
    body = client.get("/api/graph", params={"seed": seed, "depth": 1, "k": 3}).json()
    assert body["seed"] == seed and len(body["nodes"]) == 4 and body["stats"]["nodes"] == 4
    assert all("/" not in n["title"] for n in body["nodes"])
    graphml = client.get("/api/graph.graphml", params={"seed": seed, "depth": 1, "k": 3})
    assert (
        graphml.text.count("<node ") == 4 and "attachment" in graphml.headers["content-disposition"]
    )
    assert_error(client.get("/api/graph", params={"seed": seed, "depth": 9}), 400, "depth: Input")
    assert_error(client.get("/api/graph", params={"seed": seed, "k": 0}), 400, "k: Input")
    assert_error(client.get("/api/graph", params={"seed": "nope"}), 404, "No image 'nope'")


def test_clusters_api(client):
    body = client.get("/api/clusters", params={"k": 5}).json()
    sizes = [c["size"] for c in body["clusters"]]
    assert sum(sizes) == 9 and sizes == sorted(sizes, reverse=True)
    c = body["clusters"][0]
    members = client.get(f"/api/clusters/{c['cluster']}", params={"k": 5}).json()
    assert members["members"][0]["id"] == c["medoid"] and len(members["members"]) == c["size"]
    assert_error(client.get("/api/clusters/7", params={"k": 5}), 404, "No cluster 7: there are 5")
    assert_error(
        client.get("/api/clusters", params={"k": 3}),
        400,
        "k: Value error, should be 5, 10, 20 or 40, not 3",
    )
    big = client.get("/api/clusters", params={"k": 40}).json()  # lowered to the 9 images
    assert big["k"] == 9 and len(big["clusters"]) == 9


def test_map_api(client):
    body = client.get("/api/map", params={"method": "pca", "clusters": 5}).json()
    assert len(body["ids"]) == len(body["x"]) == len(body["cluster"]) == 9
    assert min(body["x"]) == 0 and max(max(body["x"]), max(body["y"])) == pytest.approx(1)
    assert_error(client.get("/api/map", params={"method": "mds"}), 400, "method")
