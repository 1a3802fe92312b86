"""Graphs on disk: the whole-collection kNN graph saved under the collection's index
directory (rebuilt when the vectors change), and graph files for other tools
(GraphML, GEXF, node-link JSON for web pages)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import numpy as np

__all__ = [
    "GRAPH_FORMATS",
    "knn_graph_file",
    "read_graph",
    "write_graph",
]

GRAPH_FORMATS = (".graphml", ".gexf", ".json")


def knn_graph_file(root: str | Path, model: str, k: int, mutual: bool) -> Path:
    """``<collection>/index/<model>/knn-k{k}[-mutual].npz``."""
    return Path(root) / "index" / model / f"knn-k{k}{'-mutual' if mutual else ''}.npz"


def write_graph(g: nx.Graph, path: str | Path) -> Path:
    """Save ``g`` as GraphML, GEXF or node-link JSON, chosen by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise ValueError(
            f"Cannot write a graph to {str(path)!r}: use a file ending in "
            f"{', '.join(GRAPH_FORMATS)}."
        )
    g = _plain(g, xml=suffix != ".json")
    if suffix == ".graphml":
        nx.write_graphml(g, path)
    elif suffix == ".gexf":
        nx.write_gexf(g, path)
    else:
        path.write_text(json.dumps(nx.node_link_data(g, edges="links")))
    return path


def read_graph(path: str | Path) -> nx.Graph:
    """Read a graph written by :func:`write_graph` (or another tool): GraphML, GEXF or
    node-link JSON, by suffix.

    Raises
    ------
    ValueError
        One line naming the file and what is wrong with it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ValueError(f"Cannot read the graph file {str(path)!r}: no such file.")
    if suffix not in GRAPH_FORMATS:
        raise ValueError(
            f"Cannot read {str(path)!r} as a graph: expected a file ending in "
            f"{', '.join(GRAPH_FORMATS)}."
        )
    try:
        if suffix == ".graphml":
            g = nx.read_graphml(path)
        elif suffix == ".gexf":
            g = nx.read_gexf(path)
        else:
            data = json.loads(path.read_text())
            edges = "links" if "links" in data else "edges"
            g = nx.node_link_graph(data, directed=False, multigraph=False, edges=edges)
    except Exception as err:  # parsers raise many types; the user needs one line
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ValueError(f"Cannot read {str(path)!r} as {suffix[1:]}: {reason}") from err
    return nx.Graph(g.to_undirected() if g.is_directed() else g)


# What XML 1.0 cannot hold at all (a control character in a file name, say).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _plain(g: nx.Graph, xml: bool = False) -> nx.Graph:
    """A copy whose attributes are plain str/int/float/bool (GraphML and GEXF need it);
    for ``xml``, characters XML cannot hold are written as escapes (``\\x01``)."""

    def clean(attrs: dict) -> dict:
        out = {}
        for key, value in attrs.items():
            if value is None:
                continue
            if isinstance(value, np.generic):
                value = value.item()
            out[key] = value if isinstance(value, str | int | float | bool) else str(value)
            if xml and isinstance(out[key], str):
                out[key] = _NOT_XML.sub(
                    lambda m: m.group().encode("unicode_escape").decode(), out[key]
                )
        return out

    h = nx.Graph(**clean(g.graph))
    h.add_nodes_from((str(n), clean(a)) for n, a in g.nodes(data=True))
    h.add_edges_from((str(a), str(b), clean(d)) for a, b, d in g.edges(data=True))
    return h
