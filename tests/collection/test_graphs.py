"""Collection.graph / knn_graph / path / show_* on real photos (test-pixels model),
and the graph files written and read back."""

from __future__ import annotations

import networkx as nx
import pytest

import lookalike
from lookalike.errors import ImageNotFound, NoPath
from lookalike.store.graph_files import knn_graph_file, read_graph, write_graph

MODEL = "test-pixels"


@pytest.fixture(scope="module")
def col(tmp_path_factory, photos_dir):
    c = lookalike.create(tmp_path_factory.mktemp("graphs") / "col")
    c.index(photos_dir, model=MODEL, progress=False)
    return c


def test_seed_graph_has_paths_depths_and_similarities(col):
    seed = col.image(next(iter(col.images()["uri"]))).id
    g = col.graph(seed, depth=2, k=2)
    assert isinstance(g, nx.Graph) and g.graph["seed"] == seed
    assert g.nodes[seed]["depth"] == 0 and 3 <= g.number_of_nodes() <= 1 + 2 + 4
    assert all(a["path"].startswith("/") for _, a in g.nodes(data=True))
    assert all(-1 <= s <= 1 for _, _, s in g.edges(data="similarity"))
    assert g.graph["fetched"] == sum(1 for _, d in g.nodes(data="depth") if d < 2)


def test_whole_collection_graph_is_saved_and_reused(col):
    kg = col.knn_graph(3)
    path = knn_graph_file(col.root, MODEL, 3, False)
    assert path.is_file()
    mtime = path.stat().st_mtime_ns
    again = col.knn_graph(3)
    assert path.stat().st_mtime_ns == mtime  # loaded, not rebuilt
    assert (again.knn != kg.knn).nnz == 0
    g = col.graph(all=True, k=3)
    assert g.number_of_nodes() == 9 and nx.is_connected(g)
    assert col.knn_graph(2, mutual=True).mutual
    assert knn_graph_file(col.root, MODEL, 2, True).name == "knn-k2-mutual.npz"


def test_the_graph_is_kept_in_memory_and_rebuilt_when_images_change(
    tmp_path, photos_dir, monkeypatch
):
    from lookalike import analysis
    from tests.conftest import skimage_photo

    c = lookalike.create(tmp_path / "col")
    c.index(photos_dir, model=MODEL, progress=False)
    builds = []
    real = analysis.knn_graph
    monkeypatch.setattr(
        analysis, "knn_graph", lambda *a, **kw: builds.append(kw["index"]) or real(*a, **kw)
    )
    a, b = photos_dir / "chelsea.png", photos_dir / "rocket.png"
    c.path(a, b, k=2)
    first = c.knn_graph(2)
    c.path(a, b, k=2)
    assert c.knn_graph(2) is first and len(builds) == 1  # not rebuilt, not re-read
    # the façade chose the index through search's policy ("graph": exact FAISS when small)
    assert (type(builds[0]).__name__, builds[0].kind) == ("FaissIndex", "flat")
    assert builds[0].ntotal == len(first.ids)
    assert lookalike.open(c.root).knn_graph(2).ids.tolist() == first.ids.tolist()
    assert len(builds) == 1  # a new process reads the saved file
    skimage_photo("motorcycle_right").save(tmp_path / "moto.png")
    c.add([tmp_path / "moto.png"], model=MODEL, progress=False)
    assert len(c.knn_graph(2).ids) == len(first.ids) + 1 and len(builds) == 2


def test_paths_list_every_step_with_similarities(col, photos_dir):
    a, b = photos_dir / "chelsea.png", photos_dir / "rocket.png"
    for method in ("shortest", "fewest", "smooth"):
        p = col.path(a, b, method=method, k=2)
        assert p.ids[0] == col.image(a).id and p.ids[-1] == col.image(b).id
        assert len(p.similarities) == p.steps == len(p.ids) - 1 >= 1
        assert p.uris[0] == str(a)
        assert list(p.to_frame()["step"]) == list(range(len(p.ids)))
    smooth = col.path(a, b, method="smooth", k=2)
    shortest = col.path(a, b, k=2)
    assert smooth.worst >= shortest.worst - 1e-6
    fewest = col.path(a, b, method="fewest", k=2)
    assert col.path(a, b, method="smooth", steps=fewest.steps, k=2).steps == fewest.steps
    if fewest.steps > 1:
        with pytest.raises(NoPath, match=f"in at most 1 step: the fewest is {fewest.steps}"):
            col.path(a, b, method="smooth", steps=1, k=2)


def test_drawings(col, photos_dir, tmp_path):
    g = col.graph(photos_dir / "coffee.jpg", depth=2, k=2)
    fig = col.show_graph(g)
    fig.savefig(tmp_path / "g.png")
    assert (tmp_path / "g.png").stat().st_size > 20_000
    fig = col.show_path(photos_dir / "coffee.jpg", photos_dir / "astronaut.jpg", k=2)
    assert len(fig.axes) >= 2


def test_graph_files_round_trip(col, tmp_path):
    g = col.graph(all=True, k=2)
    for suffix in (".graphml", ".gexf", ".json"):
        back = read_graph(write_graph(g, tmp_path / f"g{suffix}"))
        assert back.number_of_nodes() == g.number_of_nodes()
        assert back.number_of_edges() == g.number_of_edges()
        some = next(iter(g.nodes))
        assert back.nodes[some]["path"] == g.nodes[some]["path"]
        assert lookalike.graph_stats(back).edges == g.number_of_edges()


def test_bad_input(col, photos_dir, tmp_path):
    a = photos_dir / "coffee.jpg"
    with pytest.raises(ImageNotFound, match="No image 'nope'"):
        col.path(a, "nope")
    with pytest.raises(ValueError, match="same image"):
        col.path(a, a)
    with pytest.raises(ValueError, match=r"k=9 should be < n_images=9"):
        col.graph(a, k=9)
    with pytest.raises(ValueError, match=r"'k' parameter of Collection.knn_graph"):
        col.knn_graph(0)
    with pytest.raises(ValueError, match=r"'depth' parameter of Collection.graph"):
        col.graph(a, depth=-1)
    with pytest.warns(UserWarning, match="capped at 10"):
        col.graph(a, depth=99, k=1)
    with pytest.raises(ValueError, match="either a 'seed' image or all=True"):
        col.graph()
    with pytest.raises(ValueError, match=r"'method' parameter of Collection.path"):
        col.path(a, photos_dir / "rocket.png", method="scenic")
    with pytest.raises(ValueError, match=r"'steps' parameter of Collection.path"):
        col.path(a, photos_dir / "rocket.png", steps=0)
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><oops")
    with pytest.raises(ValueError, match=r"Cannot read .*bad.graphml' as graphml"):
        read_graph(bad)
    with pytest.raises(ValueError, match="use a file ending in"):
        write_graph(nx.Graph(), tmp_path / "g.txt")


def test_real_model_paths_step_through_real_photos(real_col, photos_dir):
    """With EfficientNet-Lite0: a resized copy is one step away with a high similarity;
    a path between unrelated photos exists and lists every step."""
    copy = real_col.path(photos_dir / "chelsea.png", photos_dir / "chelsea_small.jpg", k=3)
    assert copy.steps == 1 and copy.similarities[0] > 0.8
    for method in ("shortest", "fewest", "smooth"):
        p = real_col.path(
            photos_dir / "astronaut.jpg", photos_dir / "hubble_deep_field.png", method=method, k=3
        )
        assert p.uris[0].endswith("astronaut.jpg") and p.uris[-1].endswith("hubble_deep_field.png")
        assert len(p.similarities) == p.steps >= 1 and len(set(p.ids)) == len(p.ids)
    g = real_col.graph(photos_dir / "rocket.png", depth=1, k=2)
    assert g.nodes[real_col.image(photos_dir / "rocket_crop.jpg").id]["depth"] == 1
