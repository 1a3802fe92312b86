"""Measuring a graph: size, degrees, components, clustering, diameter."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from lookalike.analysis._display import html_table

__all__ = ["GraphStats", "graph_stats"]


@dataclass(frozen=True)
class GraphStats:
    """Size and shape of a graph; prints as a short report.

    ``diameter`` is in steps, over the largest component; on graphs larger than
    ``exact_diameter_below`` nodes it is a lower bound (``diameter_exact=False``).
    """

    nodes: int
    edges: int
    density: float
    mean_degree: float
    degree_histogram: list[int]
    components: int
    largest_component: int
    clustering: float
    diameter: int
    diameter_exact: bool = True

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def to_frame(self):
        """The figures as a one-row DataFrame (the degree histogram as a list)."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        approx = "" if self.diameter_exact else " (lower bound)"
        return (
            f"GraphStats: {self.nodes} nodes, {self.edges} edges, mean degree "
            f"{self.mean_degree:.2f}, {self.components} components (largest "
            f"{self.largest_component}),\n  clustering {self.clustering:.3f}, diameter "
            f"{self.diameter}{approx}"
        )

    def _repr_html_(self) -> str:
        rows = [tuple(line.split(": ", 1)) for line in str(self).splitlines()]
        return html_table("Graph statistics", ("", ""), rows)

    def __str__(self) -> str:
        hist = ", ".join(f"{d}: {c}" for d, c in enumerate(self.degree_histogram) if c)
        approx = "" if self.diameter_exact else " (lower bound)"
        return "\n".join(
            [
                f"nodes: {self.nodes}",
                f"edges: {self.edges}",
                f"density: {self.density:.6g}",
                f"mean degree: {self.mean_degree:.3f}",
                f"degree histogram (degree: nodes): {hist}",
                f"components: {self.components} (largest: {self.largest_component} nodes)",
                f"clustering coefficient: {self.clustering:.4f}",
                f"diameter (steps, largest component): {self.diameter}{approx}",
            ]
        )


def graph_stats(g: nx.Graph, *, exact_diameter_below: int = 5000) -> GraphStats:
    """Nodes, edges, density, degree histogram, components, average clustering
    coefficient and diameter of ``g`` (treated as undirected).

    Examples
    --------
    >>> g = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (4, 5)])
    >>> s = graph_stats(g)
    >>> s.nodes, s.edges, round(s.density, 4), s.degree_histogram, s.components
    (6, 5, 0.3333, [0, 3, 2, 1], 2)
    >>> round(s.clustering, 4), s.diameter
    (0.3889, 2)
    """
    if g.is_directed():
        g = g.to_undirected()
    if g.is_multigraph():
        g = nx.Graph(g)
    n = g.number_of_nodes()
    if n == 0:
        return GraphStats(0, 0, 0.0, 0.0, [], 0, 0, 0.0, 0)
    comps = list(nx.connected_components(g))
    largest = g.subgraph(max(comps, key=len))
    exact = largest.number_of_nodes() < exact_diameter_below
    if largest.number_of_nodes() == 1:
        diameter = 0
    elif exact:
        diameter = nx.diameter(largest)
    else:
        diameter = nx.approximation.diameter(largest, seed=0)
    return GraphStats(
        nodes=n,
        edges=g.number_of_edges(),
        density=nx.density(g),
        mean_degree=2 * g.number_of_edges() / n,
        degree_histogram=nx.degree_histogram(g),
        components=len(comps),
        largest_component=largest.number_of_nodes(),
        clustering=nx.average_clustering(g),
        diameter=int(diameter),
        diameter_exact=exact,
    )
