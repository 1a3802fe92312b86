"""Near-duplicate pairs for the web page: pairs above a threshold with their labels,
labels "same"/"different" saved in the collection (they feed the calibration of the
duplicate threshold), the calibrated threshold, and CSV exports of the pairs and of the
de-duplicated list. Saving labels is the one write of the server, allowed only when it
is started with ``--allow-labels``.

Scores are the library's default ("centre": whole pictures and their centre views), but
the server never embeds: it uses the centre-view vectors that ``lookalike duplicates``
stored, and an image without one is scored with its whole picture (the answer's
``notes`` say how many)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lookalike._validation import check_int, check_real
from lookalike.server.deps import (
    ID_PATTERN,
    CollectionDep,
    ResultsDep,
    SettingsDep,
    image_row,
    image_title,
)
from lookalike.server.errors import ERROR_RESPONSES, ApiError
from lookalike.server.results_cache import collection_version
from lookalike.server.schemas import Error

__all__ = ["router"]

router = APIRouter(
    prefix="/api",
    tags=["duplicates"],
    responses=ERROR_RESPONSES,
)

ThresholdQuery = Annotated[
    float | None, Query(description="Cosine similarity, -1 to 1 (default: the library's).")
]


class LabelIn(BaseModel):
    """A pair of images and whether they show the same picture."""

    a: str = Field(pattern=ID_PATTERN, max_length=128)
    b: str = Field(pattern=ID_PATTERN, max_length=128)
    label: Literal["same", "different"]


def _threshold(threshold: float | None, where: str) -> float | None:
    if threshold is None:
        return None
    return round(check_real(threshold, "threshold", where, low=-1, high=1), 4)


def _duplicates(col, results, threshold: float | None):
    key = ("duplicates", threshold, collection_version(col))
    return results.get(key, lambda: col.duplicates(threshold, embed_views=False))


def _labels(col) -> dict[tuple[str, str], str]:
    from lookalike.store.labels import LabelStore

    return {
        tuple(sorted((p.a, p.b))): "same" if p.same else "different"
        for p in LabelStore(col._store.catalog).all()
    }


def _titles(col, ids) -> dict[str, str]:
    return {i: image_title(col.image(i)) for i in set(ids)}


@router.get("/duplicates", summary="Near-duplicate pairs above a threshold")
async def duplicate_pairs(
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    threshold: ThresholdQuery = None,
    order: Annotated[Literal["desc", "asc"], Query(description="By score.")] = "desc",
    offset: Annotated[int, Query(description="Skip this many pairs.")] = 0,
    limit: Annotated[int, Query(description="At most this many pairs (1-500).")] = 100,
) -> dict:
    """Pairs with cosine similarity >= `threshold`, best first (or worst first with
    `order=asc`, to review the borderline ones), each with its saved label if any;
    `labels_writable` says whether this server saves new labels; `notes` says how many
    images have no centre view (the server computes none) and are scored whole."""
    where = "GET /api/duplicates"
    t = _threshold(threshold, where)
    limit = check_int(limit, "limit", where, low=1, high=500)
    offset = check_int(offset, "offset", where, low=0)

    def answer() -> dict:
        found = _duplicates(col, results, t)
        frame = found.to_frame()
        if order == "asc":
            frame = frame.iloc[::-1]
        page = frame.iloc[offset : offset + limit]
        titles = _titles(col, list(page["a"]) + list(page["b"]))
        labels = _labels(col)
        pairs = [
            {
                "a": a,
                "b": b,
                "score": float(s),
                "title_a": titles[a],
                "title_b": titles[b],
                "label": labels.get(tuple(sorted((a, b)))),
            }
            for a, b, s in zip(page["a"], page["b"], page["score"], strict=True)
        ]
        return {
            "threshold": found.threshold,
            "model": found.model,
            "method": found.method,
            "notes": found.notes,
            "total": len(frame),
            "sets": len(found.groups),
            "in_sets": sum(len(g) for g in found.groups),
            "labelled": len(labels),
            "labels_writable": settings.allow_labels,
            "offset": offset,
            "pairs": pairs,
        }

    return await run_in_threadpool(answer)


async def _labels_writable(settings: SettingsDep) -> None:
    """403 (before the body is read) unless the server was started with labels allowed."""
    if not settings.allow_labels:
        raise ApiError(
            403,
            "This server is read-only: start it with 'lookalike serve --allow-labels' "
            "to save labels.",
        )


@router.post(
    "/labels",
    summary="Label a pair same or different",
    dependencies=[Depends(_labels_writable)],
    responses={403: {"description": "The server is read-only (no --allow-labels)", "model": Error}},
)
def add_label(body: LabelIn, col: CollectionDep) -> dict:
    """Save (or replace) the label of a pair in the collection; calibration reads them.
    Only on a server started with `--allow-labels` (`Settings(allow_labels=True)`);
    otherwise 403."""
    a, b = image_row(col, body.a).id, image_row(col, body.b).id
    col.label_pairs([(a, b, body.label == "same")], source="web")
    return {"a": a, "b": b, "label": body.label, "labelled": len(_labels(col))}


@router.get("/labels", summary="Every labelled pair")
def list_labels(col: CollectionDep, settings: SettingsDep) -> dict:
    """Pairs labelled same/different in this collection (by the page or the CLI), and
    whether this server saves new labels (`writable`)."""
    labels = _labels(col)
    return {
        "writable": settings.allow_labels,
        "labelled": len(labels),
        "labels": [{"a": a, "b": b, "label": v} for (a, b), v in labels.items()],
    }


@router.get("/calibration", summary="The threshold calibrated on the labelled pairs")
def calibration(col: CollectionDep) -> dict:
    """The threshold that maximises F1 on the pairs labelled so far, with its precision
    and recall on them; `calibrated` is false (with the `reason`) until there are
    labels to calibrate on."""
    try:
        c = col.calibrate(embed_views=False)
    except ValueError as err:  # no labels yet, or labels of one kind only
        return {"calibrated": False, "reason": str(err), "labelled": len(_labels(col))}
    return {
        "calibrated": True,
        "threshold": c.threshold,
        "precision": c.precision,
        "recall": c.recall,
        "f1": c.f1,
        "same": c.n_same,
        "different": c.n_different,
        "criterion": c.criterion,
    }


def _csv(rows: list[list], header: list[str], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(out.getvalue(), media_type="text/csv", headers=headers)


@router.get(
    "/duplicates/pairs.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The pairs."}},
    summary="Export the pairs (CSV)",
)
def export_pairs(col: CollectionDep, results: ResultsDep, threshold: ThresholdQuery = None):
    """Every pair >= `threshold`: a, b, score, title_a, title_b, label."""
    found = _duplicates(col, results, _threshold(threshold, "GET /api/duplicates/pairs.csv"))
    frame = found.to_frame()
    titles = _titles(col, list(frame["a"]) + list(frame["b"]))
    labels = _labels(col)
    rows = [
        [a, b, f"{s:.6f}", titles[a], titles[b], labels.get(tuple(sorted((a, b))), "")]
        for a, b, s in zip(frame["a"], frame["b"], frame["score"], strict=True)
    ]
    header = ["a", "b", "score", "title_a", "title_b", "label"]
    return _csv(rows, header, f"duplicate-pairs-{found.threshold:g}.csv")


@router.get(
    "/duplicates/dedup.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The kept images."}},
    summary="Export the de-duplicated list (CSV)",
)
def export_dedup(
    col: CollectionDep,
    threshold: ThresholdQuery = None,
    keep: Annotated[
        Literal["largest", "largest-file", "oldest", "first-path"],
        Query(description="Which image of a duplicate set stays."),
    ] = "largest",
):
    """Every image that stays after de-duplication at `threshold` (images in no
    duplicate set included): id, title. No file is touched."""
    t = _threshold(threshold, "GET /api/duplicates/dedup.csv")
    plan = col.dedup(t, keep=keep, embed_views=False)
    rows = [[i, image_title(col.image(i))] for i in plan.kept]
    return _csv(rows, ["id", "title"], "deduplicated.csv")
