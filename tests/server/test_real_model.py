"""The server over a collection embedded with the real default model: an upload of a
crop finds its original, and the catalogue's first similar image of a photo is its
recompressed copy."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

import lookalike
from lookalike.server import create_app
from tests.conftest import skimage_photo


@pytest.fixture(scope="module")
def real_client(tmp_path_factory, wide_photos):
    col = lookalike.create(tmp_path_factory.mktemp("real") / "col")
    col.index(wide_photos, progress=False)  # the default model
    with TestClient(create_app(col)) as client:
        yield client, {r.uri.rsplit("/", 1)[-1]: r.id for r in col.images().itertuples()}


def test_upload_of_a_crop_finds_the_original(real_client):
    client, ids = real_client
    rocket = skimage_photo("rocket")
    w, h = rocket.size
    buf = io.BytesIO()
    rocket.crop((w // 8, h // 8, w - w // 8, h - h // 8)).save(buf, "JPEG", quality=80)
    response = client.post("/api/neighbors?k=3", files={"file": ("q.jpg", buf.getvalue())})
    body = response.json()
    assert body["model"] == lookalike.DEFAULT_MODEL
    assert body["results"][0]["id"] == ids["rocket.png"]


def test_similar_images_with_real_vectors(real_client):
    client, ids = real_client
    url = f"/catalogue/v2/images/{ids['chelsea.png']}?include=withSimilarFeatures&k=3"
    similar = client.get(url).json()["withSimilarFeatures"]
    assert similar[0]["id"] == ids["chelsea_q50.jpg"] and similar[0]["score"] > 0.95
