"""The model is bound once: a server over a collection with two models answers every
route (neighbours, catalogue, graph, path, duplicates, map, clusters) from the model
it was started with, not from the collection's first model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import lookalike
from lookalike.server import Settings, create_app

SECOND = "paired"  # imported vectors that pair images the pixels do not


@pytest.fixture(scope="module")
def two_models(tmp_path_factory, wide_photos) -> lookalike.Collection:
    """``test-pixels`` (first) and ``paired``: image i and image n-1-i share a direction
    (cosine ~0.99), every other pair is near orthogonal."""
    root = tmp_path_factory.mktemp("two-models")
    col = lookalike.create(root / "col")
    col.index(wide_photos, model="test-pixels", progress=False)
    paths = sorted(p for p in Path(wide_photos).iterdir())
    n = len(paths)
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((n, 256))
    vectors = np.stack([centres[min(i, n - 1 - i)] for i in range(n)])
    vectors += 0.05 * rng.standard_normal(vectors.shape)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(root / "v.npy", vectors.astype(np.float32))
    (root / "ids.txt").write_text("".join(f"{p}\n" for p in paths))
    col.import_vectors(root / "v.npy", ids=root / "ids.txt", model=SECOND)
    assert col.models == ["test-pixels", SECOND]
    return col


def _neighbors(col: lookalike.Collection, image: str, model: str) -> list[str]:
    return [h.id for h in col.neighbors(image, k=3, model=model)]


def test_every_route_answers_from_the_bound_model(two_models):
    col = two_models
    ids = list(col.embeddings(SECOND).ids)
    a, b = ids[0], ids[1]
    assert _neighbors(col, a, SECOND) != _neighbors(col, a, "test-pixels")  # the test bites

    with TestClient(create_app(col, settings=Settings(model=SECOND, k_max=20))) as c:
        body = c.get(f"/api/neighbors/{a}", params={"k": 3}).json()
        assert body["model"] == SECOND
        assert [h["id"] for h in body["results"]] == _neighbors(col, a, SECOND)

        similar = c.get(f"/catalogue/v2/images/{a}", params={"include": "visuallySimilar"})
        got = [i["id"] for i in similar.json()["visuallySimilar"]][:3]
        assert got == _neighbors(col, a, SECOND)

        graph = c.get("/api/graph", params={"seed": a, "depth": 1, "k": 2}).json()
        want = col.graph(a, depth=1, k=2, model=SECOND)
        assert {n["id"] for n in graph["nodes"]} == set(want.nodes)

        path = c.get("/api/path", params={"a": a, "b": b, "k": 5}).json()
        assert path["model"] == SECOND
        assert [i["id"] for i in path["images"]] == list(col.path(a, b, k=5, model=SECOND).ids)

        pairs = c.get("/api/duplicates", params={"threshold": 0.95}).json()
        assert pairs["model"] == SECOND
        frame = col.duplicates(0.95, model=SECOND, embed_views=False).to_frame()
        want = {frozenset(ab) for ab in zip(frame["a"], frame["b"], strict=True)}
        assert len(want) >= 3  # the pairs only the second model sees
        assert {frozenset((p["a"], p["b"])) for p in pairs["pairs"]} == want

        assert c.get("/api/map", params={"method": "pca"}).json()["model"] == SECOND

        clusters = c.get("/api/clusters", params={"k": 5}).json()
        want = col.clusters(5, model=SECOND)
        assert sorted(r["medoid"] for r in clusters["clusters"]) == sorted(want.medoid_ids)


def test_open_binds_the_model(two_models):
    col = lookalike.open(two_models.root, model=SECOND)
    assert col.default_model == SECOND
    assert col.embeddings().model == SECOND
    image = col.embeddings().ids[0]
    assert [h.id for h in col.neighbors(image, k=3)] == _neighbors(col, image, SECOND)
    assert lookalike.open(two_models.root).default_model == "test-pixels"
