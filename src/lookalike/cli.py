"""The ``lookalike`` command: one command per Collection method, nothing more.

A command opens (or creates) a Collection, calls one method and prints the result.
Errors lookalike raises on purpose are caught once, here, and printed as one line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import lookalike
from lookalike._validation import check_choice
from lookalike.errors import LookalikeError

__all__ = ["app", "main"]

app = typer.Typer(
    name="lookalike",
    help="Find, map and connect visually similar images in a collection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

# Exit codes: 0 all well, 1 an error stopped the command, 2 usage error (click's),
# 3 the command finished but some images failed (index).
EXIT_ERROR = 1
EXIT_SOME_FAILED = 3


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` whose LookalikeError/ValueError becomes one line and exit code 1."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except (LookalikeError, ValueError, FileNotFoundError) as err:
                err_console.print(
                    "[red]Error:[/red]",
                    escape(str(err)),
                    highlight=False,
                    soft_wrap=True,
                    emoji=False,
                )
                raise typer.Exit(code=EXIT_ERROR) from None

        app.command(*args, **kwargs)(wrapper)
        return fn

    return decorate


CollectionArg = Annotated[Path, typer.Argument(help="The collection directory.")]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model name (default: the collection's first model)."),
]


@command()
def index(
    source: Annotated[
        str,
        typer.Argument(
            help="A folder of images, a .txt list of paths, one image, or a IIIF manifest "
            "or collection (URL or .json file)."
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
        int | None, typer.Option(help="Decoding threads (default: the number of cores).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Add the images of SOURCE to a collection and embed them (resumable, incremental).

    Exits with 3 when some images could not be read (they are listed, and kept in
    `lookalike info`)."""
    col = lookalike.create(collection)
    report = col.index(
        source, model=model, batch_size=batch_size, workers=workers, progress=progress
    )
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
        typer.Option("--out", "-o", help="Also save: .csv (table) or .png/.jpg/.pdf (grid)."),
    ] = None,
) -> None:
    """The K most similar images to IMAGE (or to --query), with cosine scores."""
    col = lookalike.open(collection)
    if out is not None and out.suffix.lower() in (".png", ".jpg", ".jpeg", ".pdf", ".svg"):
        fig = col.show_neighbors(image, query=query, k=k, model=model)
        fig.savefig(out, dpi=100)
        hits = col.neighbors(image, query=query, k=k, model=model)
    else:
        hits = col.neighbors(image, query=query, k=k, model=model)
        if out is not None:
            hits.to_frame().to_csv(out, index=False)
    table = Table(title=f"Neighbours of {hits.query} ({hits.model})")
    table.add_column("rank", justify="right")
    table.add_column("id")
    table.add_column("path", overflow="fold")
    table.add_column("score", justify="right")
    for h in hits:
        table.add_row(str(h.rank), h.id, h.uri, f"{h.score:.4f}")
    console.print(table)
    if out is not None:
        console.print(f"saved {out}")


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
    and the models each --collection holds. Other models: hf:<model id or folder>,
    onnx:<file.onnx>, or vectors brought in with import-vectors."""
    table = Table(title="Models")
    for name in ("name", "aliases", "dim", "input", "offline"):
        table.add_column(name, no_wrap=True)
    table.add_column("description")
    for m in lookalike.list_models():
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


# -- near-duplicates (issue 2) -------------------------------------------------------
ThresholdOpt = Annotated[
    float | None,
    typer.Option("--threshold", "-t", help="Duplicate score in [-1, 1] (default 0.72)."),
]
ScoringOpt = Annotated[
    str, typer.Option(help="root (power-normalised vectors, default) or cosine.")
]
StrictOpt = Annotated[
    bool, typer.Option(help="Every member of a set must be close to the set's medoid.")
]


@command()
def duplicates(
    collection: CollectionArg,
    threshold: ThresholdOpt = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Identical files / pixels only (no model).")
    ] = False,
    strict: StrictOpt = False,
    search: Annotated[
        str, typer.Option(help="auto (by size), exact (blockwise) or approximate (FAISS).")
    ] = "auto",
    scoring: ScoringOpt = "root",
    model: ModelOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Save the pairs (a,b,score) as CSV.")
    ] = None,
    groups_out: Annotated[
        Path | None, typer.Option(help="Save the duplicate sets (group,id) as CSV.")
    ] = None,
) -> None:
    """Near-duplicate pairs above a threshold, and duplicate sets."""
    col = lookalike.open(collection)
    if exact:
        frame = col.exact_duplicates()
        console.print(
            f"{frame['group'].nunique() if len(frame) else 0} sets of identical "
            f"files or pixels ({len(frame)} images)"
        )
        for _, r in frame.iterrows():
            console.print(
                f"  set {r['group']} ({r['kind']}): {r['id']}  {r['uri']}",
                highlight=False,
                soft_wrap=True,
            )
        if out is not None:
            frame.to_csv(out, index=False)
            console.print(f"saved {out}")
        return
    mode = check_choice(search, "search", "duplicates", ("auto", "exact", "approximate"))
    found = col.duplicates(
        threshold,
        scoring=scoring,
        strict=strict,
        model=model,
        exact={"auto": None, "exact": True, "approximate": False}[mode],
    )
    console.print(str(found), highlight=False, soft_wrap=True)
    if len(found):
        table = Table(title="Most similar pairs")
        for name in ("a", "b", "score", "path a", "path b"):
            table.add_column(name, overflow="fold")
        for _, r in found.pairs.head(20).iterrows():
            table.add_row(r["a"], r["b"], f"{r['score']:.4f}", r["uri_a"], r["uri_b"])
        console.print(table)
    if out is not None:
        found.to_frame()[["a", "b", "score"]].to_csv(out, index=False)
        console.print(f"saved {out}")
    if groups_out is not None:
        found.groups_frame().to_csv(groups_out, index=False)
        console.print(f"saved {groups_out}")


@command()
def dedup(
    collection: CollectionArg,
    threshold: ThresholdOpt = None,
    keep: Annotated[
        str, typer.Option(help="largest, largest-file, oldest, first-path or list.")
    ] = "largest",
    keep_list: Annotated[
        Path | None, typer.Option(help="With --keep list: a file of ids or paths to keep.")
    ] = None,
    exact: Annotated[bool, typer.Option("--exact", help="Identical files / pixels only.")] = False,
    strict: StrictOpt = False,
    scoring: ScoringOpt = "root",
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the kept paths (one a line); the decisions "
            "go to OUT's name + .decisions.csv.",
        ),
    ] = None,
    move_removed_to: Annotated[
        Path | None, typer.Option(help="Move the removed files into this folder (never deleted).")
    ] = None,
) -> None:
    """Choose one image per duplicate set; write what is kept and why. No file is touched
    unless --move-removed-to is given."""
    col = lookalike.open(collection)
    keep_ids = keep_list.read_text().split() if keep_list is not None else ()
    plan = col.dedup(
        threshold,
        keep=keep,
        keep_ids=keep_ids,
        exact_only=exact,
        strict=strict,
        scoring=scoring,
        model=model,
        move_removed_to=move_removed_to,
    )
    console.print(str(plan), highlight=False, soft_wrap=True)
    if out is not None:
        uris = dict(zip(col.images()["id"], col.images()["uri"], strict=True))
        out.write_text("".join(f"{uris[i]}\n" for i in plan.kept))
        decisions = out.with_name(out.stem + ".decisions.csv")
        plan.to_frame().to_csv(decisions, index=False)
        console.print(f"saved {out} and {decisions}")


@command()
def thresholds(
    collection: CollectionArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="The contact sheet (.png, .pdf).")],
    per_band: Annotated[int, typer.Option(help="Pairs shown per band.")] = 4,
    scoring: ScoringOpt = "root",
    model: ModelOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed of the sample.")] = 0,
) -> None:
    """A contact sheet of pairs sampled per similarity band, to choose a threshold."""
    fig = lookalike.open(collection).show_threshold_bands(
        per_band=per_band, scoring=scoring, model=model, seed=seed
    )
    fig.savefig(out, dpi=90)
    console.print(f"saved {out}")


@command()
def calibrate(
    collection: CollectionArg,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="CSV of pairs: a,b,label (same/different). Default: the collection's saved labels."
        ),
    ] = None,
    target_precision: Annotated[
        float | None, typer.Option(help="Lowest threshold reaching this precision.")
    ] = None,
    scoring: ScoringOpt = "root",
    model: ModelOpt = None,
) -> None:
    """Suggest a duplicate threshold from pairs labelled same/different."""
    result = lookalike.open(collection).calibrate(
        labels, target_precision=target_precision, scoring=scoring, model=model
    )
    console.print(str(result), highlight=False, soft_wrap=True)


# -- similarity graphs and paths (issue 3) ---------------------------------------------


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
) -> None:
    """Grow a graph of similar images from --seed (breadth-first, DEPTH levels, K
    neighbours each), in COLLECTION or through a --remote catalogue API, or the kNN graph
    of --all images; print its figures, save it."""
    import warnings

    from lookalike.store.graphs import write_graph

    if (collection is None) == (remote is None):
        raise ValueError("Give either a COLLECTION or --remote URL, not both or neither.")
    if remote is not None and (seed is None or all_images or model is not None):
        raise ValueError("--remote grows a graph from --seed; --all and --model need a COLLECTION.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if remote is not None:
            from lookalike.sources.catalogue import CatalogueClient

            with CatalogueClient(remote) as client:
                g = lookalike.analysis.seed_graph(
                    client.similar, seed, depth=depth, k=k, paths=client.picture_url
                )
        else:
            g = lookalike.open(collection).graph(
                seed, depth=depth, k=k, all=all_images, mutual=mutual, model=model
            )
    _print_warnings(caught)
    if out is not None:
        write_graph(g, out)
    console.print(str(lookalike.graph_stats(g)), highlight=False)
    if g.graph.get("islands", 1) > 1:
        console.print(
            f"The kNN graph had {g.graph['islands']} islands; "
            f"{g.graph['islands'] - 1} bridge edges (bridge=True) join them.",
            highlight=False,
        )
    if out is not None:
        console.print(f"saved {out}")


@command("graph-stats")
def graph_stats(
    file: Annotated[Path, typer.Argument(help="A .graphml, .gexf or node-link .json file.")],
) -> None:
    """Nodes, edges, density, degree histogram, components, clustering, diameter."""
    from lookalike.store.graphs import read_graph

    console.print(str(lookalike.graph_stats(read_graph(file))), highlight=False)


@command()
def draw(
    file: Annotated[Path, typer.Argument(help="A .graphml, .gexf or node-link .json file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write (.png, .pdf, .svg).")],
    thumbnails: Annotated[
        bool, typer.Option(help="Images on the nodes (from their 'path' attribute).")
    ] = True,
) -> None:
    """Draw a graph file: spring layout, thumbnails, seed framed, edges by similarity."""
    from lookalike.figures.graphs import draw_graph, thumbnails_from_paths
    from lookalike.store.graphs import read_graph

    g = read_graph(file)
    thumbs = thumbnails_from_paths(g) if thumbnails and g.number_of_nodes() <= 200 else None
    draw_graph(g, thumbnails=thumbs).savefig(out, dpi=110)
    console.print(f"saved {out}")


@command()
def path(
    collection: CollectionArg,
    a: Annotated[str, typer.Argument(help="The first image (id, unique prefix or path).")],
    b: Annotated[str, typer.Argument(help="The last image.")],
    smooth: Annotated[
        bool, typer.Option("--smooth", help="Make the largest single step as small as possible.")
    ] = False,
    fewest: Annotated[bool, typer.Option("--fewest", help="The fewest steps.")] = False,
    steps: Annotated[int | None, typer.Option("--steps", help="At most this many steps.")] = None,
    k: Annotated[int, typer.Option("-k", help="Neighbours per image in the kNN graph.")] = 10,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Also save: .csv (table) or .png/.jpg/.pdf (strip)."),
    ] = None,
) -> None:
    """The chain of similar images from A to B (least total distance by default)."""
    if smooth and fewest:
        raise ValueError("Give at most one of --smooth and --fewest.")
    method = "smooth" if smooth else "fewest" if fewest else "shortest"
    col = lookalike.open(collection)
    found = col.path(a, b, method=method, steps=steps, k=k, model=model)
    table = Table(title=f"{found.method} path: {found.steps} steps, worst step {found.worst:.4f}")
    for name, justify in (("step", "right"), ("id", "left"), ("path", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    table.add_column("similarity", justify="right")
    for i, (image_id, uri) in enumerate(zip(found.ids, found.uris, strict=True)):
        sim = "" if i == 0 else f"{found.similarities[i - 1]:.4f}"
        table.add_row(str(i), image_id, uri, sim + (" (bridge)" if i in found.bridges else ""))
    console.print(table)
    if out is not None:
        if out.suffix.lower() == ".csv":
            found.to_frame().to_csv(out, index=False)
        else:
            col.show_path(found).savefig(out, dpi=100)
        console.print(f"saved {out}")


# -- clusters, maps and model comparison (issue 8) -------------------------------------

FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".svg")
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")]


def _parse_scan(spec: str) -> range:
    """``START:STOP:STEP`` (STOP included when the steps land on it) -> range."""
    try:
        start, stop, step = (int(part) for part in spec.split(":"))
    except ValueError:
        msg = f"--scan should look like START:STOP:STEP (e.g. 2:40:2); got {spec!r}."
        raise ValueError(msg) from None
    if step < 1:
        raise ValueError(f"--scan STEP should be >= 1; got {step}.")
    return range(start, stop + 1, step)


def _save_figure(fig, out: Path) -> None:
    fig.savefig(out, dpi=100)
    console.print(f"saved {out}")


@command()
def clusters(
    collection: CollectionArg,
    k: Annotated[int, typer.Option("-k", help="Number of clusters.")] = 10,
    scan: Annotated[
        str | None,
        typer.Option(help="Scan k over START:STOP:STEP instead, and suggest k (the elbow)."),
    ] = None,
    model: ModelOpt = None,
    seed: SeedOpt = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Save: .csv (one row per image, or per k with --scan) or a figure."
        ),
    ] = None,
) -> None:
    """k-medoids clusters (cosine distance): a table of clusters; --out clusters.csv has one
    row per image (id, path, cluster, is_medoid). With --scan, the k-selection curves."""
    col = lookalike.open(collection)
    if scan is not None:
        ks = _parse_scan(scan)
        result = col.scan_k(ks, model=model, random_state=seed)
        console.print(str(result), highlight=False)
        if out is not None and out.suffix.lower() in FIGURE_SUFFIXES:
            _save_figure(col.show_elbow(ks, model=model, random_state=seed), out)
        elif out is not None:
            result.to_frame().to_csv(out, index=False)
            console.print(f"saved {out}")
        return
    found = col.clusters(k, model=model, random_state=seed)
    uris = col.images().set_index("id")["uri"]
    table = Table(title=str(found))
    for name in ("cluster", "size", "medoid", "medoid path"):
        table.add_column(name, overflow="fold")
    for c, size, medoid in found.summary().itertuples(index=False):
        table.add_row(str(c), str(size), medoid, uris.get(medoid, ""))
    console.print(table)
    if out is not None and out.suffix.lower() in FIGURE_SUFFIXES:
        _save_figure(col.show_representatives(k, model=model, random_state=seed), out)
    elif out is not None:
        frame = found.to_frame()
        frame.insert(1, "path", frame["id"].map(uris))
        frame.to_csv(out, index=False)
        console.print(f"saved {out}")


@command()
def representatives(
    collection: CollectionArg,
    k: Annotated[int, typer.Option("-k", help="Number of clusters.")] = 10,
    model: ModelOpt = None,
    seed: SeedOpt = 0,
    ncols: Annotated[int | None, typer.Option(help="Images per row (default: up to 10).")] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The figure to save (.png, .jpg, .pdf, .svg).")
    ] = Path("representatives.png"),
) -> None:
    """The medoid image of each of K clusters, in a row, with the cluster sizes."""
    col = lookalike.open(collection)
    _save_figure(col.show_representatives(k, model=model, random_state=seed, ncols=ncols), out)


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
        typer.Option("--out", "-o", help="A figure (.png, .pdf, ...) or .csv (id, x, y)."),
    ] = Path("map.png"),
) -> None:
    """A 2-D map of the collection: an image atlas, or points coloured by cluster."""
    col = lookalike.open(collection)
    if out.suffix.lower() == ".csv":
        col.map(method, model=model, random_state=seed).to_frame().to_csv(out, index=False)
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
    _save_figure(fig, out)


@command()
def compare(
    collection: CollectionArg,
    models: Annotated[tuple[str, str], typer.Option("--models", help="The two models to compare.")],
    k: Annotated[int, typer.Option("-k", help="Neighbours per image.")] = 4,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Save the per-image overlap as .csv."),
    ] = None,
) -> None:
    """How many of each image's K nearest neighbours two models share: K, K-1, ..., 0."""
    col = lookalike.open(collection)
    result = col.compare_models(models[0], models[1], k=k)
    console.print(str(result), highlight=False)
    if out is not None:
        result.per_image().to_csv(out, index=False)
        console.print(f"saved {out}")


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


# -- server (issue 4) ---------------------------------------------------------------------


@command()
def serve(
    collection: CollectionArg,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 exposes the server to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    k_default: Annotated[
        int, typer.Option(help="Similar images per image when a request gives no k.")
    ] = 5,
    k_max: Annotated[int, typer.Option(help="Largest k a request may ask for.")] = 100,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Allow this origin by CORS (repeatable); default: no CORS."),
    ] = None,
    public_url: Annotated[
        str | None, typer.Option(help="The address clients use, when behind a proxy.")
    ] = None,
    precompute: Annotated[
        bool, typer.Option(help="Compute every image's similar images at start-up.")
    ] = True,
    model: ModelOpt = None,
    allow_labels: Annotated[
        bool,
        typer.Option(
            "--allow-labels",
            help="Let the web page save same/different labels of duplicate pairs in the "
            "collection (POST /api/labels). Without it the server changes nothing.",
        ),
    ] = False,
) -> None:
    """Serve COLLECTION over HTTP: the catalogue images API (/catalogue/v2/images), the
    IIIF Image API (/iiif/ID/...), JSON search (/api/...) and the web page (/); schema at
    /openapi.json. Read-only unless --allow-labels."""
    from lookalike.server import Settings
    from lookalike.server import serve as run_server

    settings = Settings(
        k_default=k_default,
        k_max=k_max,
        cors_origins=tuple(cors_origin or ()),
        public_url=public_url,
        precompute=precompute,
        model=model,
        allow_labels=allow_labels,
    )
    col = lookalike.open(collection)
    mode = "labels can be saved" if allow_labels else "read-only"
    err_console.print(
        f"Serving {collection} at http://{host}:{port}/ ({mode}; Ctrl-C stops)", highlight=False
    )
    run_server(col, host=host, port=port, settings=settings)


def main() -> None:
    """Entry point of the ``lookalike`` console script."""
    app()


if __name__ == "__main__":
    main()
