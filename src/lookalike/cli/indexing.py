"""Commands that fill a collection and look into it: index, info, neighbors, models,
import-vectors, export-onnx."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import lookalike
from lookalike.cli._app import EXIT_SOME_FAILED, CollectionArg, ModelOpt, command, console
from lookalike.cli._output import Col, FormatOpt, Output, save_frame


@command()
def index(
    source: Annotated[
        str,
        typer.Argument(
            help="A folder of images, a .txt list of paths, one image, a catalogue's image "
            "list (a URL ending in /images, e.g. .../catalogue/v2/images?query=cat), or a "
            "IIIF manifest or collection (URL or .json file)."
        ),
    ],
    collection: Annotated[
        Path, typer.Option("--collection", "-c", help="Collection directory (created if new).")
    ],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model to embed with (default: the collection's first model, else "
            f"{lookalike.DEFAULT_MODEL}).",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Images per inference batch.")] = 32,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Decoding threads (default: the number of cores; with --engine ray, "
            "per actor, default its CPUs)."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    engine: Annotated[
        str,
        typer.Option(
            help="Where images are read and embedded: local, or ray (a Ray cluster; "
            'pip install "lookalike\\[ray]").'
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="With --engine ray: auto (the cluster this machine is in) or "
            "ray://HEAD:10001; default a new local cluster."
        ),
    ] = None,
    ray_actors: Annotated[
        int | None,
        typer.Option(help="With --engine ray: model copies (default: as many as fit)."),
    ] = None,
    ray_cpus: Annotated[float, typer.Option(help="With --engine ray: CPUs per actor.")] = 1.0,
    ray_gpus: Annotated[float, typer.Option(help="With --engine ray: GPUs per actor.")] = 0.0,
) -> None:
    """Add the images of SOURCE to a collection and embed them (resumable, incremental).

    Exits with 3 when some images could not be read (they are listed, and kept in
    `lookalike info`)."""
    created = not collection.exists()
    col = lookalike.create(collection)
    try:
        report = col.index(
            source,
            model=model,
            batch_size=batch_size,
            workers=workers,
            progress=progress,
            engine=engine,
            ray_address=ray_address,
            ray_actors=ray_actors,
            ray_cpus=ray_cpus,
            ray_gpus=ray_gpus,
        )
    except Exception:
        # A collection this command made and that holds nothing (the source was missing,
        # the model unknown, Ray not installed) is not left behind.
        if created and col.info().n_images == 0:
            shutil.rmtree(collection, ignore_errors=True)
        raise
    console.print(str(report), highlight=False, soft_wrap=True)
    if report.failed:
        raise typer.Exit(code=EXIT_SOME_FAILED)


@command()
def neighbors(
    collection: CollectionArg,
    image: Annotated[
        str | None, typer.Argument(help="Image id (or a unique prefix) or path.")
    ] = None,
    query: Annotated[
        Path | None, typer.Option("--query", "-q", help="An outside image file to search with.")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Number of neighbours.")] = 9,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Also save: .csv/.json (table) or .png/.jpg/.pdf (grid)."),
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """The K most similar images to IMAGE (or to --query), with cosine scores; exact
    copies of IMAGE (identical file or pixels) are marked."""
    show = Output(format)
    col = lookalike.open(collection)
    hits = col.neighbors(image, query=query, k=k, model=model)
    frame = hits.to_frame().rename(columns={"uri": "path", "copy": "exact_copy"})
    frame.insert(0, "query", hits.query_uri or hits.query)
    frame = frame[["query", "rank", "score", "exact_copy", "path", "id"]]
    name = Path(hits.query_uri).name if hits.query_uri else hits.query
    table = frame.assign(
        score=[
            f"{s:.4f}" + (" copy" if c else "")
            for s, c in zip(frame["score"], frame["exact_copy"], strict=True)
        ]
    )
    show.frame(
        frame if show.machine else table,
        [Col("rank", "rank", "int"), Col("score", "score", "right"), Col("path", "path", "path")],
        title=f"Neighbours of {name} ({hits.model})",
    )
    if out is not None and out.suffix.lower() in (".png", ".jpg", ".jpeg", ".pdf", ".svg"):
        col.show_neighbors(image, query=query, k=k, model=model).savefig(out, dpi=100)
        show.saved(out)
    elif out is not None:
        save_frame(frame, out)
        show.saved(out)


@command()
def info(collection: CollectionArg) -> None:
    """Counts, models, and the failed images with their reasons."""
    console.print(str(lookalike.open(collection).info()), highlight=False, soft_wrap=True)


@command("models")
def list_models(
    collections: Annotated[
        list[Path] | None,
        typer.Option(
            "--collection", "-c", help="Also show the models this collection holds (repeatable)."
        ),
    ] = None,
) -> None:
    """The models lookalike knows: name, aliases, dimension, weights available offline;
    and the models each --collection holds. Other models: `hf:<model id or folder>`,
    `onnx:<file.onnx>`, or vectors brought in with import-vectors."""
    known = lookalike.list_models()
    table = Table(title="Models")
    # Names are never cut short, however long the other columns (paths of hf:/onnx: specs).
    table.add_column("name", no_wrap=True, min_width=max(len(m.name) for m in known))
    for name in ("aliases", "dim", "input", "offline"):
        table.add_column(name, no_wrap=True)
    table.add_column("description")
    for m in known:
        table.add_row(
            m.name,
            ", ".join(m.aliases),
            str(m.dim),
            f"{m.input_size}px",
            "yes" if m.offline else "no",
            m.description,
        )
    console.print(table)
    for path in collections or []:
        info = lookalike.open(path).info()
        held = Table(title=f"Models in {path}")
        for name in ("model", "dim", "images with vectors"):
            held.add_column(name)
        for name, m in info.models.items():
            held.add_row(name, str(m["dim"]), str(m["vectors"]))
        if not info.models:
            held.add_row("(none yet)", "", "")
        console.print(held)


# -- more models and sources (issue 6) ---------------------------------------------------


@command("import-vectors")
def import_vectors(
    collection: Annotated[Path, typer.Argument(help="The collection directory (created if new).")],
    vectors: Annotated[
        Path, typer.Argument(help="A .npy (with --ids), .parquet, or pickled {path: vector} file.")
    ],
    model: Annotated[
        str, typer.Option("--model", "-m", help="The name the vectors are stored under.")
    ],
    ids: Annotated[
        Path | None, typer.Option(help="For .npy: the image ids or paths, one a line.")
    ] = None,
    id_column: Annotated[str, typer.Option(help="Parquet: the id column.")] = "id",
    vector_column: Annotated[str, typer.Option(help="Parquet: the vector column.")] = "vector",
) -> None:
    """Import vectors computed elsewhere as MODEL (all or nothing)."""
    report = lookalike.create(collection).import_vectors(
        vectors, model=model, ids=ids, id_column=id_column, vector_column=vector_column
    )
    console.print(str(report), highlight=False, soft_wrap=True)


@command("export-onnx")
def export_onnx(
    out: Annotated[Path, typer.Argument(help="The .onnx file to write (and OUT.json beside).")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="A built-in model.")
    ] = lookalike.DEFAULT_MODEL,
) -> None:
    """Write a built-in model as ONNX (uint8 images in, features out) with its sidecar;
    load it back with `--model onnx:OUT`."""
    from lookalike.models.onnx import export_onnx as export

    path = export(out, model)
    console.print(f"wrote {path} and {path}.json", highlight=False, soft_wrap=True)
