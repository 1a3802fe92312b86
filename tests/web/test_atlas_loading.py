"""The collection page's atlas is never a blank box: a loading state is in the page
itself (before any script or data), and the map is drawn the moment its data arrives,
before any picture (pictures held back here) has loaded."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import forgive, screenshot

DRAWN = """() => {
  const c = document.querySelector('#atlas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;  // pixels that are not the empty map's background, #15181b
  for (let i = 0; i < d.length; i += 4) if (d[i] !== 21 || d[i + 1] !== 24 || d[i + 2] !== 27) n++;
  return n;
}"""


def test_loading_state_then_the_map_at_once(page):
    held = []
    page.route("**/api/map?*", lambda route: held.append(route))
    page.route("**/iiif/**", lambda route: route.abort())  # no picture arrives
    page.goto("/?map=pca", wait_until="load")
    loading = page.locator("#atlas-loading")
    expect(loading).to_be_visible()
    expect(loading).to_contain_text("Computing the PCA map of the collection")
    screenshot(page, "collection-atlas-loading")
    for _ in range(400):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    held[0].continue_()
    expect(loading).to_be_hidden(timeout=60_000)  # the first map is computed now
    canvas = page.locator("#atlas")
    assert canvas.get_attribute("data-visible") == "9"
    assert canvas.get_attribute("data-thumbnails") == "0"  # drawn before any picture
    assert page.evaluate(DRAWN) > 9 * 36  # a place for each image, not a blank box
    forgive(page, "Failed to load resource")  # the pictures refused on purpose
    screenshot(page, "collection-atlas-first-draw")


def test_a_map_that_cannot_be_computed_says_so_in_the_box(page):
    page.route(
        "**/api/map?*",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            json={
                "type": "Error",
                "httpStatus": 503,
                "label": "Service Unavailable",
                "description": "The server is busy.",
            },
        ),
    )
    page.goto("/?map=pca")
    loading = page.locator("#atlas-loading")
    expect(loading).to_contain_text("No map: ")
    expect(loading).to_have_class("atlas-loading failed")
    forgive(page, "503")
