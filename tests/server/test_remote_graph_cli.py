"""``lookalike graph --remote``: the seed graph grown through lookalike's own server on
localhost equals the one grown over the same collection locally."""

from __future__ import annotations

import networkx as nx
import pytest
from typer.testing import CliRunner

from lookalike.cli import app
from tests.server.conftest import free_port

runner = CliRunner()


def edges(g: nx.Graph) -> set[frozenset[str]]:
    return {frozenset(e) for e in g.edges}


@pytest.mark.parametrize("k", [2, 3])
def test_remote_graph_equals_the_local_graph(live_server, server_col, ids, tmp_path, k):
    seed = ids["chelsea.png"]
    out = tmp_path / "remote.graphml"
    base = live_server.url + "catalogue/v2/"
    args = ["graph", "--remote", base, "--seed", seed, "--depth", "2", "-k", str(k)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    remote = nx.read_graphml(out)
    local = server_col.graph(seed, depth=2, k=k)
    assert f"nodes: {local.number_of_nodes()}" in result.output
    assert set(remote.nodes) == set(local.nodes)
    assert edges(remote) == edges(local)
    assert dict(remote.nodes(data="depth")) == dict(local.nodes(data="depth"))
    for a, b, sim in local.edges(data="similarity"):
        assert remote.edges[a, b]["similarity"] == pytest.approx(sim, abs=1e-4)
    assert remote.nodes[seed]["path"] == f"{live_server.url}iiif/{seed}/full/!256,256/0/default.jpg"


def test_remote_graph_unreachable_server_is_one_line_and_exit_1():
    url = f"http://127.0.0.1:{free_port()}/catalogue/v2/"
    result = runner.invoke(app, ["graph", "--remote", url, "--seed", "abc", "-d", "1"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot reach the catalogue API at {url}: ")
    assert result.output.rstrip().endswith("(4 tries).")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graph", "--seed", "abc"], "Give either a COLLECTION or --remote URL"),
        (["graph", "col", "--remote", "http://x/", "--seed", "a"], "not both or neither"),
        (["graph", "--remote", "http://x/"], "--remote grows a graph from --seed"),
        (["graph", "--remote", "http://x/", "--all"], "--all and --model need a COLLECTION"),
        (["graph", "--remote", "ftp://x/", "--seed", "a"], "must be an http(s) URL"),
    ],
)
def test_remote_graph_bad_arguments(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_remote_graph_unknown_seed_is_one_line(live_server):
    base = live_server.url + "catalogue/v2/"
    result = runner.invoke(app, ["graph", "--remote", base, "--seed", "nope", "-d", "1"])
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and len(result.output.strip().splitlines()) == 1
