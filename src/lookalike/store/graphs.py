"""Graphs on disk: the whole-collection kNN graph saved under the collection's index
directory (rebuilt when the vectors change), and graph files for other tools
(GraphML, GEXF, node-link JSON for web pages)."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import numpy as np

__all__ = [
    "GRAPH_FORMATS",
    "knn_graph_file",
    "load_graph_arrays",
    "read_graph",
    "save_graph_arrays",
    "vectors_fingerprint",
    "write_graph",
]

GRAPH_FORMATS = (".graphml", ".gexf", ".json")


def knn_graph_file(root: str | Path, model: str, k: int, mutual: bool) -> Path:
    """``<collection>/index/<model>/knn-k{k}[-mutual].npz``."""
    return Path(root) / "index" / model / f"knn-k{k}{'-mutual' if mutual else ''}.npz"


def vectors_fingerprint(ids: Sequence[str], vectors: np.ndarray) -> str:
    """A short hash of the ids, the shape and a sample of rows: changes when images are
    added, removed or re-embedded."""
    h = hashlib.sha1()
    h.update(f"{vectors.shape}".encode())
    h.update("\n".join(map(str, ids)).encode())
    step = max(1, len(vectors) // 1024)
    h.update(np.ascontiguousarray(vectors[::step], dtype=np.float32).tobytes())
    return h.hexdigest()[:16]


def save_graph_arrays(path: Path, arrays: dict[str, np.ndarray], fingerprint: str) -> None:
    """Write ``arrays`` to ``path`` (.npz) atomically, with ``fingerprint``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, fingerprint=np.array(fingerprint), **arrays)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_graph_arrays(path: Path, fingerprint: str) -> dict[str, np.ndarray] | None:
    """The arrays saved at ``path``, or ``None`` when the file is missing, unreadable or
    was built from other vectors."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["fingerprint"]) != fingerprint:
                return None
            return {name: data[name] for name in data.files if name != "fingerprint"}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def write_graph(g: nx.Graph, path: str | Path) -> Path:
    """Save ``g`` as GraphML, GEXF or node-link JSON, chosen by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise ValueError(
            f"Cannot write a graph to {str(path)!r}: use a file ending in "
            f"{', '.join(GRAPH_FORMATS)}."
        )
    g = _plain(g)
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


def _plain(g: nx.Graph) -> nx.Graph:
    """A copy whose attributes are plain str/int/float/bool (GraphML and GEXF need it)."""

    def clean(attrs: dict) -> dict:
        out = {}
        for key, value in attrs.items():
            if value is None:
                continue
            if isinstance(value, np.generic):
                value = value.item()
            out[key] = value if isinstance(value, str | int | float | bool) else str(value)
        return out

    h = nx.Graph(**clean(g.graph))
    h.add_nodes_from((str(n), clean(a)) for n, a in g.nodes(data=True))
    h.add_edges_from((str(a), str(b), clean(d)) for a, b, d in g.edges(data=True))
    return h
