"""Pages that must work on a machine with no internet, in the real browser: every
request that would leave the server is refused and recorded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import screenshot


@pytest.fixture
def offline(page, web_server):
    """The page with every request to another host aborted; the list of those."""
    outside: list[str] = []

    def handle(route):
        if route.request.url.startswith(web_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    page.outside = outside
    return page


def test_api_docs_render_every_operation_offline(offline, web_server):
    page = offline
    schema = page.request.get(web_server.url + "openapi.json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("lookalike")
    expect(page.locator(".opblock")).to_have_count(operations)
    # One operation opens and can be tried (Swagger UI's own scripts run).
    page.locator(".opblock-summary-path", has_text="/catalogue/v2/images/{id}").first.click()
    expect(page.locator(".try-out__btn").first).to_be_visible()
    assert page.outside == [], page.outside
    screenshot(page, "api-docs")


def test_no_page_of_the_server_loads_anything_from_another_host(page, web_server):
    for path in ("/docs", "/docs/oauth2-redirect"):
        html = page.request.get(web_server.url + path.lstrip("/")).text()
        assert "http://" not in html and "https://" not in html  # local assets only
    assert page.request.get(web_server.url + "redoc").status == 404
