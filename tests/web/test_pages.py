"""Each page of the web UI in headless Chromium against the real server: what a person
sees and can do, and that bad input shows a message instead of a blank screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import expect_text, forgive, screenshot


def test_collection_page_shows_counts_models_and_failed_images(page, web_ids):
    page.goto("/")
    stats = page.locator("#stats")
    expect_text(stats, "Images10")
    expect_text(stats, "Indexed9")
    expect_text(stats, "Failed1")
    expect_text(page.locator("#models"), "test-pixels")
    expect_text(page.locator("#models"), "float32, 432 bytes per image")  # how it is kept
    expect_text(page.locator("#failed"), "notes.jpg")
    # every image can be reached from the page without the map: a paged grid with search
    expect(page.locator("#browse .card")).to_have_count(9)
    alts = page.locator("#browse img").evaluate_all("els => els.map(e => e.alt)")
    assert f"chelsea.png ({web_ids['chelsea.png']})" in alts
    page.fill("#q", "coffee")
    page.press("#q", "Enter")
    page.wait_for_function("document.querySelectorAll('#browse .card').length === 2")
    screenshot(page, "collection")


def test_walk_from_image_to_neighbour_to_neighbour(page, web_ids):
    page.goto(f"/image/{web_ids['astronaut.jpg']}")
    expect(page.locator("h1")).to_have_text("astronaut.jpg")
    grid = page.locator("#neighbour-grid .card")
    expect(grid).to_have_count(8)
    # the resized copy is the nearest neighbour, with its score shown
    first = grid.first
    expect(first).to_have_attribute("data-id", web_ids["astronaut_440.jpg"])
    expect(first).to_contain_text(re.compile(r"similarity (0\.9\d\d|1\.000)"))
    expect_text(page.locator("#meta"), "test-pixels")
    assert page.locator("#meta").inner_text().count("test-pixels") == 1
    screenshot(page, "image")
    first.click()
    page.wait_for_url(f"**/image/{web_ids['astronaut_440.jpg']}")
    expect(page.locator("h1")).to_have_text("astronaut_440.jpg")
    expect(grid.first).to_have_attribute("data-id", web_ids["astronaut.jpg"])
    second = grid.nth(1).get_attribute("data-id")
    grid.nth(1).click()
    page.wait_for_url(f"**/image/{second}")
    grid.first.wait_for()
    # k is adjustable
    page.fill("#k", "3")
    page.click("#k-form button")
    page.wait_for_function("document.querySelectorAll('#neighbour-grid .card').length === 3")
    assert "k=3" in page.url


def test_keyboard_walk(page, web_ids):
    """Tab reaches the neighbours; Enter follows the link."""
    page.goto(f"/image/{web_ids['chelsea.png']}")
    page.locator("#neighbour-grid .card").first.wait_for()
    page.locator("#neighbour-grid .card").first.focus()
    target = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/image/{target}")


def test_upload_an_outside_image(page, web_ids, web_photos, tmp_path):
    page.goto(f"/image/{web_ids['coffee.jpg']}")
    crop = tmp_path / "outside.jpg"
    from PIL import Image

    Image.open(web_photos / "chelsea.png").convert("RGB").crop((20, 20, 400, 280)).save(crop)
    page.set_input_files("#upload input[type=file]", str(crop))
    results = page.locator("#upload .upload-results .card")
    expect(results).to_have_count(9)
    assert results.first.get_attribute("data-id") in (
        web_ids["chelsea.png"],
        web_ids["chelsea_q50.jpg"],
    )
    screenshot(page, "upload")


def test_bad_uploads_say_why(page, web_ids, tmp_path):
    page.goto("/")
    box = page.locator("#upload")
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    page.set_input_files("#upload input[type=file]", str(text))
    expect_text(box.locator(".message"), "is not an image")
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"\xff\xd8 not really a jpeg")
    page.set_input_files("#upload input[type=file]", str(fake))
    expect_text(box.locator(".message"), 'Cannot search with "fake.jpg": Cannot read the image')
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8" + b"\0" * (21 * 1024 * 1024))
    page.set_input_files("#upload input[type=file]", str(big))
    expect_text(box.locator(".message"), "the limit is 20 MB")
    forgive(page, "status of 400")


def test_unknown_ids_and_pages_show_a_friendly_404(page):
    response = page.goto("/image/no-such-image")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    expect_text(page.locator(".message"), "no image 'no-such-image'")
    assert page.locator("a[href='/']").count() >= 1
    screenshot(page, "not-found")
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect_text(page.locator(".message"), "There is no page at /no/such/page")
    forgive(page, "status of 404")


def test_a_failed_request_shows_a_message(page, web_ids):
    """The server goes away under the page: the page says so."""
    page.route("**/api/neighbors/**", lambda route: route.abort())
    page.goto(f"/image/{web_ids['coffee.jpg']}")
    expect_text(page.locator("#error"), "Cannot reach the lookalike server")
    forgive(page, "net::ERR_FAILED")
