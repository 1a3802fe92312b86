"""Fuzz the API from its own OpenAPI schema (schemathesis), with every check: whatever
the generated request, the server answers without a 500, in a documented shape; a
request the schema calls valid is accepted (so the schema declares the real range of
every parameter) and one it calls invalid is refused."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

import lookalike
from lookalike.server import Settings, create_app
from tests.conftest import PHOTOS, skimage_photo


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-photos")
    # Two images: every route still works on them (clusters, paths and maps lowered
    # to what two images allow), and a map of two is a line, not a minute of UMAP JIT.
    for name in PHOTOS[:2]:
        skimage_photo(name).resize((160, 120)).save(root / f"{name}.jpg")
    col = lookalike.create(tmp_path_factory.mktemp("fuzz") / "col")
    col.index(root, model="test-pixels", progress=False)
    return create_app(
        col, settings=Settings(k_max=10, iiif=lookalike.server.IIIFLimits(800, 800, 640_000))
    )


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


# Examples per operation and mode: every route of the schema is tried with each.
EXAMPLES = 10
# A IIIF request of the right form can still ask for what this image cannot give (a
# region outside it, a size over the limits, upscaling without '^'): a 400 that no
# schema can foresee, and the one that the IIIF Image API prescribes.
IIIF_PICTURE = "GET /iiif/{id}/{region}/{size}/{rotation}/{quality}.{format}"


def _check(label: str, case, mode: str) -> None:
    excluded = []
    response = case.call()
    assert response.status_code < 500, response.text
    if mode == "negative":
        case.validate_response(response)
        return
    if label == "POST /api/neighbors" and response.status_code == 400:
        # Any bytes fit the schema's file; only bytes that decode are a picture.
        assert response.json()["description"].startswith("Cannot read the image:")
        excluded = [positive_data_acceptance]
    if mode == "positive with real ids" and label == IIIF_PICTURE and response.status_code == 400:
        assert response.json()["description"].startswith(("region ", "size "))
        excluded = [positive_data_acceptance]
    case.validate_response(response, excluded_checks=excluded)


@pytest.mark.parametrize("mode", ["positive", "negative", "positive with real ids"])
def test_every_check_passes_on_every_route(fuzz_schema, fuzz_app, mode):
    ids = list(fuzz_app.state.collection.images()["id"])
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) > 20
    failures = []
    for operation in operations:
        generation = GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE
        fixed = {}
        if mode == "positive with real ids":
            names = {p.name for p in operation.path_parameters}
            query = {p.name for p in operation.query}
            fixed = {
                "path_parameters": {"id": ids[0]} if "id" in names else None,
                "query": {
                    n: v for n, v in (("seed", ids[0]), ("a", ids[0]), ("b", ids[1])) if n in query
                }
                or None,
            }
            if not any(fixed.values()):
                continue

        @given(case=operation.as_strategy(generation_mode=generation, **fixed))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            _check(case.operation.label, case, mode)

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid: a route without parameters
            assert generation is GenerationMode.NEGATIVE
        except Exception as err:  # go on: one report of every failing route
            failures.append(f"{operation.label}: {err}")
    assert not failures, "\n\n".join(failures)
