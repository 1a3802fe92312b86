"""The map command: map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, ModelOpt, command, console
from lookalike.cli._output import SeedOpt, save_figure, save_frame


@command("map")
def map_(
    collection: CollectionArg,
    method: Annotated[str, typer.Option(help="pca, tsne or umap.")] = "umap",
    model: ModelOpt = None,
    points: Annotated[
        bool, typer.Option("--points", help="Draw points instead of an image atlas.")
    ] = False,
    clusters: Annotated[
        int | None, typer.Option("--clusters", help="Colour by K k-medoids clusters.")
    ] = None,
    highlight: Annotated[
        str | None, typer.Option(help="An image (id or path) to mark in black.")
    ] = None,
    neighbors: Annotated[
        int, typer.Option(help="Mark the highlighted image's N nearest neighbours in red.")
    ] = 0,
    cells: Annotated[
        int | None, typer.Option(help="Atlas grid side (default: from the collection size).")
    ] = None,
    spread: Annotated[
        bool, typer.Option(help="Atlas laid out by rank along each axis (fills the grid).")
    ] = True,
    seed: SeedOpt = 0,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="A figure (.png, .pdf, ...) or .csv/.json (x, y, path, id)."
        ),
    ] = Path("map.png"),
) -> None:
    """A 2-D map of the collection: an image atlas, or points coloured by cluster."""
    col = lookalike.open(collection)
    if out.suffix.lower() in (".csv", ".json"):
        frame = col.map(method, model=model, random_state=seed).to_frame()
        frame["path"] = frame["id"].map(col.images().set_index("id")["uri"])
        if clusters is not None:
            frame["cluster"] = col.clusters(clusters, model=model).labels
        save_frame(frame[[c for c in ("x", "y", "cluster", "path", "id") if c in frame]], out)
        console.print(f"saved {out}")
        return
    fig = col.show_map(
        method,
        model=model,
        atlas=not points,
        clusters=clusters,
        highlight=highlight,
        neighbors=neighbors,
        cells=cells,
        spread=spread,
        random_state=seed,
    )
    save_figure(fig, out)
