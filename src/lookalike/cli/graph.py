"""Similarity graph commands: graph, graph-stats, draw."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import ModelOpt, command, console, err_console
from lookalike.cli._output import FormatOpt, Output

# -- similarity graphs ----------------------------------------------------------------


def _print_warnings(caught: list) -> None:
    for w in caught:
        err_console.print(f"[yellow]Note:[/yellow] {w.message}", highlight=False, soft_wrap=True)


@command()
def graph(
    collection: Annotated[
        Path | None, typer.Argument(help="The collection directory (or give --remote).")
    ] = None,
    seed: Annotated[
        str | None, typer.Option("--seed", "-s", help="Image id (or path) to grow from.")
    ] = None,
    remote: Annotated[
        str | None,
        typer.Option(
            help="Grow the --seed graph through a catalogue images API instead, e.g. "
            "http://host:8000/catalogue/v2/ (a lookalike server or the Wellcome Collection's)."
        ),
    ] = None,
    depth: Annotated[int, typer.Option("--depth", "-d", help="Levels of expansion.")] = 2,
    k: Annotated[int, typer.Option("-k", help="Neighbours per image.")] = 5,
    all_images: Annotated[
        bool, typer.Option("--all", help="The kNN graph of the whole collection.")
    ] = False,
    mutual: Annotated[
        bool, typer.Option("--mutual", help="With --all: keep only mutual neighbours.")
    ] = False,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Save as .graphml, .gexf or .json (node-link)."),
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """Grow a graph of similar images from --seed (breadth-first, DEPTH levels, K
    neighbours each), in COLLECTION or through a --remote catalogue API, or the kNN graph
    of --all images; print its figures, save it."""
    import warnings

    if (collection is None) == (remote is None):
        raise ValueError("Give either a COLLECTION or --remote URL, not both or neither.")
    if remote is not None and (seed is None or all_images or model is not None):
        raise ValueError("--remote grows a graph from --seed; --all and --model need a COLLECTION.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if remote is not None:
            g = lookalike.remote_graph(remote, seed, depth=depth, k=k)
        else:
            g = lookalike.open(collection).graph(
                seed, depth=depth, k=k, all=all_images, mutual=mutual, model=model
            )
    show = Output(format)
    _print_warnings(caught)
    if out is not None:
        lookalike.write_graph(g, out)
    _print_stats(lookalike.graph_stats(g), show)
    if g.graph.get("islands", 1) > 1:
        show.text(
            f"The kNN graph had {g.graph['islands']} islands; "
            f"{g.graph['islands'] - 1} bridge edges (bridge=True) join them."
        )
    if out is not None:
        show.saved(out)


@command("graph-stats")
def graph_stats(
    file: Annotated[Path, typer.Argument(help="A .graphml, .gexf or node-link .json file.")],
    format: FormatOpt = "table",
) -> None:
    """Nodes, edges, density, degree histogram, components, clustering, diameter."""
    _print_stats(lookalike.graph_stats(lookalike.read_graph(file)), Output(format))


def _print_stats(stats, show: Output) -> None:
    """The report in words, or its figures as one CSV row / JSON record on stdout."""
    if show.machine:
        show.frame(stats.to_frame(), [])
    else:
        show.text(str(stats))


@command()
def draw(
    file: Annotated[Path, typer.Argument(help="A .graphml, .gexf or node-link .json file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write (.png, .pdf, .svg).")],
    thumbnails: Annotated[
        bool, typer.Option(help="Images on the nodes (from their 'path' attribute).")
    ] = True,
) -> None:
    """Draw a graph file: spring layout, thumbnails, seed framed, edges by similarity."""
    g = lookalike.read_graph(file)
    small = thumbnails and g.number_of_nodes() <= 200
    thumbs = lookalike.thumbnails_from_paths(g) if small else None
    lookalike.draw_graph(g, thumbnails=thumbs).savefig(out, dpi=110)
    console.print(f"saved {out}")
