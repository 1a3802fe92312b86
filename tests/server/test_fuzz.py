"""Fuzz the API from its own OpenAPI schema (schemathesis): whatever the generated
request, the server answers without a 500, in a documented shape, and keeps serving."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

import lookalike
from lookalike.server import Settings, create_app
from tests.conftest import PHOTOS, skimage_photo


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-photos")
    for name in PHOTOS[:4]:
        skimage_photo(name).resize((160, 120)).save(root / f"{name}.jpg")
    col = lookalike.create(tmp_path_factory.mktemp("fuzz") / "col")
    col.index(root, model="test-pixels", progress=False)
    return create_app(
        col, settings=Settings(k_max=10, iiif=lookalike.server.IIIFLimits(800, 800, 640_000))
    )


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case):
    case.call_and_validate(
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance]
    )
