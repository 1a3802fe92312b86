"""Collection: clusters, k scans, maps and model comparison over real photos; results
saved in the collection and recomputed when the vectors change; one clear error line
for every bad input."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import lookalike
from lookalike.errors import IndexNotBuilt, ModelUnavailable
from lookalike.models import Backbone, ModelInfo, l2_normalize, register
from tests.conftest import skimage_photo

MODEL = "test-pixels"


class GreyBackbone(Backbone):
    """A second real descriptor for model comparison: an 8x8 grey-level layout."""

    name = "test-grey"
    dim = 64
    input_size = 32

    def embed(self, images: np.ndarray) -> np.ndarray:
        grey = images.astype(np.float32).mean(axis=3)
        x = grey.reshape(len(images), 8, 4, 8, 4).mean(axis=(2, 4)).reshape(len(images), -1)
        return l2_normalize(x - x.mean(axis=1, keepdims=True))


register(ModelInfo(GreyBackbone.name, 64, 32, "test: grey layout"), GreyBackbone)


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir):
    c = lookalike.create(tmp_path_factory.mktemp("c") / "col")
    c.index(photos_dir, model=MODEL, progress=False)
    c.index(photos_dir, model=GreyBackbone.name, progress=False)
    return c


def test_clusters_have_member_medoids_and_label_every_image(col):
    found = col.clusters(3)
    ids = set(col.embeddings(MODEL).ids)
    assert len(found.labels) == len(ids) == 9
    assert set(found.medoid_ids) <= ids and len(set(found.medoid_ids)) == 3
    assert found.sizes.sum() == 9
    frame = found.to_frame()
    assert frame["is_medoid"].sum() == 3 and set(frame["cluster"]) == {0, 1, 2}


def test_clusters_are_saved_and_recomputed_when_the_vectors_change(tmp_path, photos_dir):
    c = lookalike.create(tmp_path / "c")
    c.index(sorted(photos_dir.glob("*.jpg")), model=MODEL, progress=False)
    first = c.clusters(2)
    saved = c.root / "index" / MODEL / "results" / "clusters-k2-seed0.npz"
    assert saved.is_file()
    stamp = saved.stat().st_mtime_ns
    assert np.array_equal(lookalike.open(c.root).clusters(2).labels, first.labels)
    assert saved.stat().st_mtime_ns == stamp  # reused, not recomputed
    c.add(sorted(photos_dir.glob("*.png")), model=MODEL, progress=False)
    again = lookalike.open(c.root).clusters(2)
    assert len(again.labels) == len(first.labels) + 3  # stale: recomputed on all images


def test_scan_k_gives_curves_and_an_elbow(col):
    scan = col.scan_k(range(1, 9))
    assert scan.ks.tolist() == list(range(1, 9)) and len(scan.inertia) == 8
    assert scan.elbow in scan.ks
    assert isinstance(col.show_elbow(range(1, 9)), Figure)


def test_maps_have_one_point_per_image_and_are_cached(col):
    proj = col.map("pca")
    assert proj.coords.shape == (9, 2) and list(proj.ids) == list(col.embeddings(MODEL).ids)
    assert (col.root / "index" / MODEL / "results" / "map-pca-seed0.npz").is_file()
    assert np.array_equal(col.map("pca").coords, proj.coords)
    assert col.map("tsne").coords.shape == (9, 2)


@pytest.mark.slow  # umap-learn compiles its numba code in every new process: ~30 s here
def test_umap_map_has_one_point_per_image(col):
    assert col.map("umap").coords.shape == (9, 2)


def test_figures_are_matplotlib_figures(col, tmp_path, photos_dir):
    hit = col.image(photos_dir / "chelsea.png").id
    for fig in (
        col.show_representatives(3),
        col.show_neighborhood(col.clusters(3).medoid_ids[0], k=3, n=4),
        col.show_map("pca", clusters=3),
        col.show_map("pca", atlas=False, clusters=3, highlight=hit, neighbors=2),
        col.show_map("pca", highlight=hit, neighbors=2, cells=3),
    ):
        assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 10_000


def test_compare_models_table_sums_to_the_number_of_images(col, photos_dir):
    cmp = col.compare_models(MODEL, GreyBackbone.name, k=2)
    assert cmp.table["shared"].tolist() == [2, 1, 0]
    assert cmp.table["images"].sum() == 9
    assert cmp.per_image()["id"].tolist() == list(col.embeddings(MODEL).ids)
    # The resized copy of the cat is a neighbour of the cat under both models.
    row = cmp.per_image().set_index("id").loc[col.image(photos_dir / "chelsea.png").id]
    small = col.image(photos_dir / "chelsea_small.jpg").id
    assert small in row[f"neighbors_{MODEL}"] and small in row["neighbors_test-grey"]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda c: c.clusters(10), ValueError, r"k=10 should be <= n_images=9\."),
        (
            lambda c: c.clusters(0),
            ValueError,
            r"'k' parameter of Collection.clusters must be an int in the range \[1, inf\)",
        ),
        (
            lambda c: c.compare_models(MODEL, "no-such-model"),
            ModelUnavailable,
            "Unknown model 'no-such-model'",
        ),
        (
            lambda c: c.compare_models(MODEL, "test-grey", k=9),
            ValueError,
            r"k=9 should be < n_images=9",
        ),
        (
            lambda c: c.map("mds"),
            ValueError,
            r"'method' parameter of Collection.map must be one of",
        ),
        (
            lambda c: c.show_map("pca", highlight="nope-not-here"),
            KeyError,
            "No image 'nope-not-here'",
        ),
    ],
)
def test_bad_input_is_one_clear_error(col, call, error, match):
    with pytest.raises(error, match=match):
        call(col)


def test_a_model_not_indexed_here_and_an_empty_collection(tmp_path, col):
    register(ModelInfo("test-unused", 4, 8, "test"), GreyBackbone)
    with pytest.raises(IndexNotBuilt, match=r"no vectors for model 'test-unused' \(it has: "):
        col.compare_models(MODEL, "test-unused")
    empty = lookalike.create(tmp_path / "empty")
    with pytest.raises(IndexNotBuilt, match="run `index` first"):
        empty.clusters(2, model=MODEL)


def test_one_image_collection_clusters_but_cannot_compare(tmp_path):
    c = lookalike.create(tmp_path / "one")
    skimage_photo("coffee").save(tmp_path / "coffee.jpg")
    c.index(tmp_path / "coffee.jpg", model=MODEL, progress=False)
    assert c.clusters(1).medoid_ids == [c.embeddings().ids[0]]
    with pytest.raises(ValueError, match="at least 2 images"):
        c.compare_models(MODEL, MODEL, k=1)


def test_show_map_clusters_with_its_random_state_and_runs_agree(col, monkeypatch):
    seen = []
    real = lookalike.analysis.k_medoids

    def recording(vectors, k, **kwargs):  # the real k-medoids, its seed noted
        seen.append(kwargs.get("random_state"))
        return real(vectors, k, **kwargs)

    monkeypatch.setattr(lookalike.analysis, "k_medoids", recording)
    one, two = lookalike.open(col.root), lookalike.open(col.root)
    one.save_results = two.save_results = False  # each computes its own clusters
    assert isinstance(
        one.show_map("pca", model=MODEL, atlas=False, clusters=3, random_state=11), Figure
    )
    assert seen == [11]  # the map's random_state reached the clustering
    first = one.clusters(3, model=MODEL, random_state=11)  # computed again, as the map did
    second = two.clusters(3, model=MODEL, random_state=11)
    assert seen == [11, 11, 11]  # results not saved: every call computes
    assert np.array_equal(first.labels, second.labels)
    assert list(first.medoid_ids) == list(second.medoid_ids)


def test_figures_draw_computed_results(col):
    proj = col.map("pca", model=MODEL)
    found = col.clusters(3, model=MODEL)
    scan = col.scan_k([2, 3, 4], model=MODEL)
    medoid = found.medoid_ids[0]
    for fig in (
        col.show_map(result=proj, atlas=False),
        col.show_representatives(result=found),
        col.show_neighborhood(medoid, n=3, model=MODEL, result=found),
        col.show_elbow(model=MODEL, result=scan),
    ):
        assert isinstance(fig, Figure) and fig.axes
    assert "3 representatives" in col.show_representatives(result=found)._suptitle.get_text()
