"""Commands that fill a collection and look into it: index, reduce, info, neighbors,
models, import-vectors, export-onnx."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import EXIT_SOME_FAILED, CollectionArg, ModelOpt, command, console
from lookalike.cli._output import Col, FormatOpt, Output, save_frame


@command()
def index(
    source: Annotated[
        str,
        typer.Argument(
            help="A folder of images, a .txt list of paths, a .parquet file of paths or "
            "URLs (a file or an http(s) URL), one image, a catalogue's image "
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
    reduce: Annotated[
        int | None,
        typer.Option(
            "--reduce",
            help="Then keep the vectors reduced by PCA to this many dimensions (as "
            "`lookalike reduce --dims`); later runs encode new vectors the same way.",
        ),
    ] = None,
    float16: Annotated[
        bool, typer.Option("--float16", help="Then keep the vectors in float16.")
    ] = False,
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
            reduce=reduce,
            float16=float16,
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
        col.show_neighbors(image, query=query, result=hits).savefig(out, dpi=100)
        show.saved(out)
    elif out is not None:
        save_frame(frame, out)
        show.saved(out)


@command()
def info(collection: CollectionArg, format: FormatOpt = "table") -> None:
    """Counts, models, and the failed images with their reasons. --format json: counts,
    models, failed, skipped, damaged and runs; csv: one row per image that failed, was
    left out of a folder's walk or lost its vector (problem, model, path, reason, id)."""
    show = Output(format)
    found = lookalike.open(collection).info()
    if show.format == "json":
        show.record(found.to_dict())
    elif show.format == "csv":
        import pandas as pd

        data = found.to_dict()
        rows = (
            [{"problem": "failed", **r} for r in data["failed"]]
            + [{"problem": "skipped", **r} for r in data["skipped"]]
            + [{"problem": "damaged", **r} for r in data["damaged"]]
        )
        columns = ["problem", "model", "path", "reason", "id"]
        show.frame(pd.DataFrame(rows, columns=columns), [])
    else:
        show.text(str(found))


@command()
def reduce(
    collection: CollectionArg,
    dims: Annotated[
        int | None,
        typer.Option(
            "--dims", help="PCA to this many dimensions, learned on a sample of the vectors."
        ),
    ] = None,
    float16: Annotated[bool, typer.Option("--float16", help="Keep them in float16.")] = False,
    sample: Annotated[
        int, typer.Option("--sample", help="Vectors the PCA is learned on (at most).")
    ] = 20_000,
    model: ModelOpt = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Keep a model's vectors smaller (PCA to --dims and/or --float16), for collections
    whose vectors do not fit in memory; every search works on them. Vectors indexed later
    and outside query images are projected the same way. Safe to interrupt: the old
    vectors stay until the new ones are complete (docs/reduced.md)."""
    if dims is None and not float16:
        raise ValueError("Give --dims N (a PCA to N dimensions) and/or --float16.")
    col = lookalike.open(collection)
    report = col.reduce(dims, float16=float16, model=model, sample=sample, progress=progress)
    console.print(str(report), highlight=False, soft_wrap=True)


@command("models")
def list_models(
    collections: Annotated[
        list[Path] | None,
        typer.Option(
            "--collection", "-c", help="Also show the models this collection holds (repeatable)."
        ),
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """The models lookalike knows: name, aliases, dimension, weights available offline;
    and the models each --collection holds. Other models: `hf:<model id or folder>`,
    `onnx:<file.onnx>`, or vectors brought in with import-vectors. --format csv/json:
    one row per model, with a "vectors in COLLECTION" column per --collection."""
    import pandas as pd

    show = Output(format)
    known = pd.DataFrame(
        [
            {
                "name": m.name,
                "aliases": ", ".join(m.aliases),
                "dim": m.dim,
                "input": f"{m.input_size}px",
                "offline": "yes" if m.offline else "no",
                "description": m.description,
            }
            for m in lookalike.list_models()
        ]
    )
    held = {str(path): lookalike.open(path).info().models for path in collections or []}
    if show.machine:
        frame = known.copy()
        # Models a collection holds that are not built in (hf:, onnx:, imported vectors).
        extra = [n for models in held.values() for n in models if n not in set(frame["name"])]
        for name in dict.fromkeys(extra):
            dim = next(m[name]["dim"] for m in held.values() if name in m)
            frame.loc[len(frame)] = [name, "", dim, "", "", ""]
        for path, models in held.items():
            frame[f"vectors in {path}"] = [
                models[n]["vectors"] if n in models else 0 for n in frame["name"]
            ]
        show.frame(frame, [])
        return
    show.frame(
        known,
        [
            Col("name", "name"),
            Col("aliases", "aliases", "flex"),
            Col("dim", "dim", "int"),
            Col("input", "input", "right"),
            Col("offline", "offline"),
        ],
        title="Models",
    )
    console.print()
    # Descriptions below the table, whole and folded at words: cut to a table cell at
    # 80 columns they would say nothing.
    for name, description in zip(known["name"], known["description"], strict=True):
        console.print(
            textwrap.fill(f"{name}: {description}", console.width, subsequent_indent="    "),
            highlight=False,
            markup=False,
        )
    for path, models in held.items():
        console.print()
        frame = pd.DataFrame(
            [{"model": n, "dim": m["dim"], "vectors": m["vectors"]} for n, m in models.items()]
            or [{"model": "(none yet)", "dim": "", "vectors": ""}]
        )
        show.frame(
            frame,
            [Col("model", "model"), Col("dim", "dim", "right"), Col("vectors", "vectors", "right")],
            title=f"Models in {path}",
        )


# -- more models and sources -------------------------------------------------------------


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
    path = lookalike.export_onnx(out, model)
    console.print(f"wrote {path} and {path}.json", highlight=False, soft_wrap=True)
