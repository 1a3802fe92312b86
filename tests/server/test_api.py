"""The API in-process (TestClient): the catalogue shape, IIIF pictures, neighbours, and
every bad input answered with the one JSON error shape while the server keeps serving."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from lookalike.server import Settings, create_app
from lookalike.server.deps import get_collection


def assert_error(response, status: int, match: str) -> None:
    import re

    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"type", "errorType", "httpStatus", "label", "description"}
    assert body["type"] == "Error" and body["errorType"] == "http"
    assert body["httpStatus"] == status
    assert re.search(match, body["description"]), body["description"]


def test_image_has_the_catalogue_shape(client, ids):
    image_id = ids["coffee.jpg"]
    body = client.get(f"/catalogue/v2/images/{image_id}").json()
    assert body["type"] == "Image" and body["id"] == image_id
    assert body["source"] == {"id": image_id, "title": "coffee.jpg", "type": "Work"}
    assert body["aspectRatio"] == pytest.approx(600 / 400)
    loc = body["thumbnail"]
    assert loc["url"] == f"http://testserver/iiif/{image_id}/info.json"
    assert loc["type"] == "DigitalLocation" and loc["accessConditions"] == []
    assert loc["locationType"] == {
        "id": "iiif-image",
        "label": "IIIF Image API",
        "type": "LocationType",
    }
    assert body["locations"] == [loc]
    assert "visuallySimilar" not in body and "withSimilarFeatures" not in body


@pytest.mark.parametrize("include", ["visuallySimilar", "withSimilarFeatures"])
def test_similar_images_under_both_names(client, ids, include):
    body = client.get(f"/catalogue/v2/images/{ids['chelsea.png']}?include={include}").json()
    similar = body[include]
    assert len(similar) == 5  # the default k
    assert similar[0]["id"] == ids["chelsea_q50.jpg"]  # the recompressed copy first
    scores = [s["score"] for s in similar]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.99
    assert all(s["type"] == "Image" and "thumbnail" in s for s in similar)


def test_k_and_both_includes(client, ids):
    url = f"/catalogue/v2/images/{ids['astronaut.jpg']}"
    body = client.get(url, params={"include": "visuallySimilar,withSimilarFeatures", "k": 2})
    body = body.json()
    assert [s["id"] for s in body["visuallySimilar"]] == [
        s["id"] for s in body["withSimilarFeatures"]
    ]
    assert body["visuallySimilar"][0]["id"] == ids["astronaut_440.jpg"]
    assert len(body["visuallySimilar"]) == 2


def test_similar_per_request_matches_the_precomputed_table(server_col, ids):
    url = f"/catalogue/v2/images/{ids['rocket.png']}?include=visuallySimilar&k=8"
    with TestClient(create_app(server_col, settings=Settings(precompute=False))) as live:
        a = live.get(url).json()["visuallySimilar"]
    with TestClient(create_app(server_col)) as table:
        b = table.get(url).json()["visuallySimilar"]
    assert [s["id"] for s in a] == [s["id"] for s in b]
    assert [s["score"] for s in a] == pytest.approx([s["score"] for s in b], abs=1e-5)


def test_paged_list(client, ids):
    first = client.get("/catalogue/v2/images", params={"pageSize": 4}).json()
    assert first["type"] == "ResultList"
    assert (first["page"], first["pageSize"], first["totalResults"], first["totalPages"]) == (
        1,
        4,
        9,
        3,
    )
    assert "prevPage" not in first
    seen = [r["id"] for r in first["results"]]
    url = first["nextPage"]
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page.get("nextPage")
    assert sorted(seen) == sorted(ids.values())
    assert page["page"] == 3 and "prevPage" in page


def test_iiif_info_and_pictures(client, ids):
    image_id = ids["coffee.jpg"]
    info = client.get(f"/iiif/{image_id}/info.json")
    assert info.json()["width"] == 600 and info.json()["height"] == 400
    assert info.json()["id"] == f"http://testserver/iiif/{image_id}"
    ld = client.get(f"/iiif/{image_id}/info.json", headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    redirect = client.get(f"/iiif/{image_id}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].endswith("info.json")
    cases = {
        "full/400,/0/default.jpg": ("JPEG", (400, 267)),
        "square/!100,100/90/gray.png": ("PNG", (100, 100)),
        "pct:0,0,50,50/max/180/color.webp": ("WEBP", (300, 200)),
        "0,0,300,200/^600,/0/default.jpg": ("JPEG", (600, 400)),
        "full/full/0/default.jpg": ("JPEG", (600, 400)),
    }
    for params, (fmt, size) in cases.items():
        response = client.get(f"/iiif/{image_id}/{params}")
        assert response.status_code == 200, (params, response.text)
        assert "max-age" in response.headers["cache-control"]
        im = Image.open(io.BytesIO(response.content))
        assert (im.format, im.size) == (fmt, size), params


def test_thumbnails_are_cached_on_disk(client, server_col, ids):
    image_id = ids["hubble_deep_field.png"]
    first = client.get(f"/iiif/{image_id}/full/200,/0/default.jpg").content
    cached = list((server_col.root / "thumbs" / "iiif").rglob("*_200,*default.jpg"))
    assert cached
    assert client.get(f"/iiif/{image_id}/full/200,/0/default.jpg").content == first


def test_neighbors_json(client, ids):
    body = client.get(f"/api/neighbors/{ids['chelsea.png']}", params={"k": 3}).json()
    assert body["query"] == ids["chelsea.png"] and body["model"] == "test-pixels"
    assert [h["rank"] for h in body["results"]] == [1, 2, 3]
    assert body["results"][0]["id"] == ids["chelsea_q50.jpg"]
    assert body["results"][0]["thumbnail"].endswith(f"{ids['chelsea_q50.jpg']}/info.json")


def test_neighbors_of_an_upload(client, ids, wide_photos):
    data = (wide_photos / "rocket.png").read_bytes()
    response = client.post("/api/neighbors?k=2", files={"file": ("q.jpg", data, "image/jpeg")})
    body = response.json()
    assert body["query"] == "upload" and body["results"][0]["id"] == ids["rocket.png"]
    assert body["results"][0]["score"] > 0.99


# -- bad input: one error shape, and the server keeps serving -----------------------


@pytest.mark.parametrize(
    ("url", "status", "match"),
    [
        ("/catalogue/v2/images/nope", 404, r"No image 'nope' in this collection"),
        ("/catalogue/v2/images/..", 404, r"No such endpoint"),
        ("/catalogue/v2/images/.hidden", 400, r"id: String should match pattern"),
        ("/iiif/nope/info.json", 404, r"No image 'nope'"),
        ("/iiif/nope/full/max/0/default.jpg", 404, r"No image 'nope'"),
        ("/api/neighbors/nope", 404, r"No image 'nope'"),
        ("/nowhere", 404, r"No such endpoint: /nowhere"),
        ("/catalogue/v2/images?page=99", 404, r"No page 99: there are 1 pages"),
        ("/catalogue/v2/images?pageSize=0", 400, r"'pageSize' parameter .* Got 0"),
        ("/catalogue/v2/images?pageSize=x", 400, r"pageSize: Input should be a valid integer"),
        ("/catalogue/v2/images?include=colours", 400, r"include: 'colours' is not a valid"),
    ],
)
def test_bad_requests(client, url, status, match):
    assert_error(client.get(url), status, match)


@pytest.mark.parametrize("k", [0, -1, 21, 10**12])
def test_k_out_of_range(client, ids, k):
    image_id = ids["coffee.jpg"]
    url = f"/catalogue/v2/images/{image_id}?include=visuallySimilar&k={k}"
    assert_error(client.get(url), 400, rf"The 'k' parameter .* \[1, 20\]\. Got {k} instead")
    assert_error(client.get(f"/api/neighbors/{image_id}?k={k}"), 400, r"'k' parameter")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ("full/400,/45/default.jpg", r"rotation '45'"),
        ("full/99999,/0/default.jpg", r"size '99999,': 99999 px is wider than the region"),
        ("full/^99999,/0/default.jpg", r"over this server's limit"),
        ("full/800,/0/default.jpg", r"'\^800,' to upscale"),
        ("garbage/max/0/default.jpg", r"region 'garbage'"),
        ("full/max/0/default.gif", r"format 'gif'"),
        ("full/max/0/bitonal.jpg", r"quality 'bitonal'"),
        ("full/max/0/default", r"No such endpoint"),
    ],
)
def test_malformed_iiif(client, ids, params, match):
    response = client.get(f"/iiif/{ids['coffee.jpg']}/{params}")
    assert_error(response, 404 if "endpoint" in match else 400, match)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", r"empty file"),
        (b"GIF89a not really", r"Cannot read the image: (not an image|corrupt)"),
        (b"%PDF-1.4 junk" * 10, r"not an image"),
    ],
)
def test_junk_uploads(client, data, match):
    response = client.post("/api/neighbors", files={"file": ("junk.jpg", data, "image/jpeg")})
    assert_error(response, 400, match)


def test_upload_bomb_and_size_limits(server_col, wide_photos):
    from tests.conftest import png_with_size

    settings = Settings(max_request_bytes=64 * 1024, max_upload_pixels=1_000_000)
    with TestClient(create_app(server_col, settings=settings)) as small:
        bomb = png_with_size(30_000, 30_000)
        response = small.post("/api/neighbors", files={"file": ("b.png", bomb, "image/png")})
        assert_error(response, 413, r"30000x30000 = 900,000,000 pixels; .* at most 1,000,000")
        big = (wide_photos / "hubble_deep_field.png").read_bytes()
        assert len(big) > 64 * 1024
        response = small.post("/api/neighbors", files={"file": ("h.jpg", big, "image/jpeg")})
        assert_error(response, 413, r"larger than this server.s limit of 65536 bytes")
        assert small.get("/catalogue/v2/images").status_code == 200


def test_upload_needs_a_file(client):
    assert_error(client.post("/api/neighbors"), 400, r"file: Field required")


def test_read_only(client, ids):
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)(f"/catalogue/v2/images/{ids['coffee.jpg']}")
        assert_error(response, 405, r"Method Not Allowed")


def test_cors_any_origin_on_a_read_only_server_unless_configured(server_col, client, ids):
    """IIIF viewers on other origins (Mirador, the Universal Viewer) read info.json."""
    headers = {"Origin": "https://viewer.example"}
    info = client.get(f"/iiif/{ids['coffee.jpg']}/info.json", headers=headers)
    assert info.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/openapi.json", headers={**headers, "Access-Control-Request-Method": "GET"}
    )
    assert (
        preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
    )
    for settings, origin in [
        (Settings(cors_origins=("https://example.org",)), "https://example.org"),
        (Settings(cors_origins=()), None),
        (Settings(allow_labels=True), None),  # a server that writes names its origins
    ]:
        with TestClient(create_app(server_col, settings=settings)) as c:
            got = c.get("/openapi.json", headers={"Origin": "https://example.org"}).headers
            assert got.get("access-control-allow-origin") == origin


def test_unexpected_errors_are_500_in_the_error_shape(server_col, ids):
    class Broken:
        def image(self, key):
            raise RuntimeError("disk on fire")

    app = create_app(server_col)
    app.dependency_overrides[get_collection] = lambda: Broken()
    with TestClient(app, raise_server_exceptions=False) as c:
        assert_error(c.get("/catalogue/v2/images/abc"), 500, r"Internal error \(RuntimeError\)")
        app.dependency_overrides.clear()
        assert c.get(f"/catalogue/v2/images/{ids['coffee.jpg']}").status_code == 200


def test_a_missing_original_is_404(tmp_path, wide_photos):
    import shutil

    import lookalike

    folder = tmp_path / "p"
    folder.mkdir()
    shutil.copy(wide_photos / "coffee.jpg", folder / "coffee.jpg")
    col = lookalike.create(tmp_path / "c")
    col.index(folder, model="test-pixels", progress=False)
    image_id = col.images()["id"][0]
    (folder / "coffee.jpg").unlink()
    with TestClient(create_app(col)) as c:
        response = c.get(f"/iiif/{image_id}/full/100,/0/default.jpg")
        assert_error(response, 404, r"cannot be read: file not found")


def test_settings_are_checked():
    with pytest.raises(ValueError, match=r"'k_default' parameter of Settings .* Got 0"):
        Settings(k_default=0)
    with pytest.raises(ValueError, match=r"'k_default' parameter .* \[1, 10\]\. Got 11"):
        Settings(k_default=11, k_max=10)
