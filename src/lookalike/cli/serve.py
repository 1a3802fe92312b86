"""The server command: serve."""

from __future__ import annotations

from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, ModelOpt, command, err_console

# -- server -------------------------------------------------------------------------------


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
        typer.Option(
            help="Allow this origin by CORS on the GET routes (repeatable; 'none' sends no "
            "CORS headers). Default: any origin ('*') when read-only, none with "
            "--allow-labels."
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="The address clients use (behind a proxy), in every absolute URL of a "
            "response; default: the address bound (never the request's Host header)."
        ),
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
        cors_origins=(
            None if not cors_origin else tuple(o for o in cors_origin if o.lower() != "none")
        ),
        public_url=public_url,
        precompute=precompute,
        model=model,
        allow_labels=allow_labels,
    )
    col = lookalike.open(collection, model=model)  # every route answers from this model
    mode = "labels can be saved" if allow_labels else "read-only"
    # One line whatever the width: the terminal wraps it, the URL stays whole to copy.
    err_console.print(
        f"Serving {collection} at http://{host}:{port}/ ({mode}; Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    run_server(col, host=host, port=port, settings=settings)
