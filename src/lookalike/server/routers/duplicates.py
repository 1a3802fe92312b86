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

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lookalike import DEFAULT_THRESHOLD
from lookalike._validation import check_real
from lookalike.exports import clip_score, rows_to_csv
from lookalike.server.deps import (
    ID_PATTERN,
    MAX_OFFSET,
    CollectionDep,
    ResultsDep,
    SettingsDep,
    image_row,
    image_title,
)
from lookalike.server.errors import ERROR_RESPONSES, ApiError
from lookalike.server.schemas import Error

__all__ = ["router"]

router = APIRouter(
    prefix="/api",
    tags=["duplicates"],
    responses=ERROR_RESPONSES,
)

ThresholdQuery = Annotated[
    float | None,
    Query(
        ge=-1,
        le=1,
        description="Cosine similarity (default: the library's, 0.72); at least this "
        "server's floor (0.5 unless configured).",
    ),
]
# Rows of the vectors scored against all of them to estimate a threshold's pairs.
ESTIMATE_ROWS = 512


class LabelIn(BaseModel):
    """A pair of images and whether they show the same picture."""

    a: str = Field(pattern=ID_PATTERN, max_length=128)
    b: str = Field(pattern=ID_PATTERN, max_length=128)
    label: Literal["same", "different"]


def _threshold(threshold: float | None, settings, where: str) -> float | None:
    """The threshold asked for, refused below the server's floor."""
    if threshold is None:
        return None
    t = round(check_real(threshold, "threshold", where, low=-1, high=1), 4)
    floor = settings.duplicate_threshold_min
    if t < floor:
        raise ApiError(
            400,
            f"threshold: {t:g} is below this server's floor of {floor:g} (it bounds the "
            "pairs a request can produce); ask for a higher threshold.",
        )
    return t


def _too_many(t: float, pairs: int, budget: int, estimated: bool) -> ApiError:
    about = "about " if estimated else ""
    return ApiError(
        400,
        f"threshold: {t:g} gives {about}{pairs:,} pairs, over this server's budget of "
        f"{budget:,} pairs; ask for a higher threshold.",
    )


def _estimate_pairs(col, settings, t: float) -> int:
    """Pairs scoring >= ``t`` in plain cosine, from ``ESTIMATE_ROWS`` rows (fixed seed)
    scored against all: one ``512 x n`` product instead of ``n x n`` (every row when
    the collection has no more). Duplicate scores are not plain cosines, so this is an
    estimate; the pairs actually found are checked against the budget too."""
    x = col.embeddings().vectors
    n = len(x)
    if n < 2:
        return 0
    rows = np.arange(n)
    if n > ESTIMATE_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(n, ESTIMATE_ROWS, replace=False))
    sample = np.asarray(x[rows], dtype=np.float32)
    hits = 0
    for start in range(0, n, 8192):  # bounded memory: 512 x 8192 scores at a time
        block = np.asarray(x[start : start + 8192], dtype=np.float32)
        hits += int(np.count_nonzero(sample @ block.T >= t))
    hits -= len(rows)  # every row meets itself
    return int(hits * n / (2 * len(rows)))


def _pairs(col, settings, t: float | None) -> dict:
    """The pairs >= ``t`` in a compact form (ids as numpy strings), or a refusal when
    they are more than the server's budget. Runs in a worker thread."""
    budget = settings.max_duplicate_pairs
    effective = DEFAULT_THRESHOLD if t is None else t
    estimate = _estimate_pairs(col, settings, effective)
    if estimate > budget:
        return {"refused": (effective, estimate, True)}
    # Like the centre views, the geometric check reads every image again: the server
    # does neither per request (`lookalike duplicates` does both).
    found = col.duplicates(t, embed_views=False, verify=False)
    frame = found.to_frame()
    if len(frame) > budget:
        return {"refused": (found.threshold, len(frame), False)}
    return {
        "a": frame["a"].to_numpy(dtype=str),
        "b": frame["b"].to_numpy(dtype=str),
        "score": frame["score"].to_numpy(dtype=np.float32),
        "threshold": found.threshold,
        "model": found.model,
        "method": found.method,
        "notes": list(found.notes),
        "sets": len(found.groups),
        "in_sets": sum(len(g) for g in found.groups),
    }


async def _duplicates(col, results, settings, t: float | None) -> dict:
    key = ("duplicates", t, col.version)
    found = await results.get(
        key, lambda: _pairs(col, settings, t), heavy=True, what="duplicate pairs"
    )
    if "refused" in found:
        t_found, pairs, estimated = found["refused"]
        raise _too_many(t_found, pairs, settings.max_duplicate_pairs, estimated)
    return found


def _labels(col) -> dict[tuple[str, str], str]:
    return {tuple(sorted((p.a, p.b))): "same" if p.same else "different" for p in col.labels()}


def _titles(col, ids) -> dict[str, str]:
    return {i: image_title(col.image(i)) for i in set(ids)}


@router.get("/duplicates", summary="Near-duplicate pairs above a threshold")
async def duplicate_pairs(
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    threshold: ThresholdQuery = None,
    order: Annotated[Literal["desc", "asc"], Query(description="By score.")] = "desc",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many pairs.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many pairs.")] = 100,
) -> dict:
    """Pairs with cosine similarity >= `threshold`, best first (or worst first with
    `order=asc`, to review the borderline ones), each with its saved label if any;
    `labels_writable` says whether this server saves new labels; `notes` says how many
    images have no centre view (the server computes none) and are scored whole."""
    where = "GET /api/duplicates"
    t = _threshold(threshold, settings, where)
    found = await _duplicates(col, results, settings, t)

    def answer() -> dict:
        total = len(found["score"])
        take = np.arange(offset, min(offset + limit, total))
        if order == "asc":  # worst first: count from the end
            take = total - 1 - take
        a, b, scores = found["a"][take], found["b"][take], found["score"][take]
        titles = _titles(col, list(a) + list(b))
        labels = _labels(col)
        pairs = [
            {
                "a": str(x),
                "b": str(y),
                "score": float(s),
                "title_a": titles[x],
                "title_b": titles[y],
                "label": labels.get(tuple(sorted((str(x), str(y))))),
            }
            for x, y, s in zip(a, b, scores, strict=True)
        ]
        return {
            "threshold": found["threshold"],
            "model": found["model"],
            "method": found["method"],
            "notes": found["notes"],
            "total": total,
            "sets": found["sets"],
            "in_sets": found["in_sets"],
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
    # The shared writer neutralises cells a spreadsheet would run as formulas.
    body = rows_to_csv(rows, header)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type="text/csv", headers=headers)


@router.get(
    "/duplicates/pairs.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The pairs."}},
    summary="Export the pairs (CSV)",
)
async def export_pairs(
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    threshold: ThresholdQuery = None,
):
    """Every pair >= `threshold`: a, b, score, title_a, title_b, uri_a, uri_b, label."""
    t = _threshold(threshold, settings, "GET /api/duplicates/pairs.csv")
    found = await _duplicates(col, results, settings, t)

    def answer() -> Response:
        a, b, scores = found["a"], found["b"], found["score"]
        titles = _titles(col, list(a) + list(b))
        uris = {x: col.image(x).uri for x in {*a.tolist(), *b.tolist()}}  # where the files are
        labels = _labels(col)
        rows = [
            [
                x,
                y,
                f"{clip_score(s):.6f}",
                titles[x],
                titles[y],
                uris.get(x, ""),
                uris.get(y, ""),
                labels.get(tuple(sorted((x, y))), ""),
            ]
            for x, y, s in zip(a.tolist(), b.tolist(), scores.tolist(), strict=True)
        ]
        header = ["a", "b", "score", "title_a", "title_b", "uri_a", "uri_b", "label"]
        return _csv(rows, header, f"duplicate-pairs-{found['threshold']:g}.csv")

    return await run_in_threadpool(answer)


@router.get(
    "/duplicates/dedup.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The kept images."}},
    summary="Export the de-duplicated list (CSV)",
)
async def export_dedup(
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    threshold: ThresholdQuery = None,
    keep: Annotated[
        Literal["largest", "largest-file", "oldest", "first-path"],
        Query(description="Which image of a duplicate set stays."),
    ] = "largest",
):
    """Every image that stays after de-duplication at `threshold` (images in no
    duplicate set included): id, title. No file is touched."""
    t = _threshold(threshold, settings, "GET /api/duplicates/dedup.csv")
    await _duplicates(col, results, settings, t)  # the same bound on the pairs

    def plan() -> list[str]:
        return list(col.dedup(t, keep=keep, embed_views=False, verify=False).kept)

    kept = await results.get(
        ("dedup", t, keep, col.version),
        plan,
        heavy=True,
        what="a de-duplication plan",
    )

    def answer() -> Response:
        rows = [[i, image_title(row), row.uri] for i in kept for row in [col.image(i)]]
        return _csv(rows, ["id", "title", "uri"], "deduplicated.csv")

    return await run_in_threadpool(answer)
