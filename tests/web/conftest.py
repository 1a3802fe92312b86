"""The web page in a real browser: Debian's headless Chromium driven by Playwright
against the real server on localhost, over a real collection of real photos.

Every page a test opens records console errors and uncaught exceptions; any of them
fails the test. Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import lookalike
from lookalike.server import Settings, create_app
from tests.conftest import PHOTOS, skimage_photo
from tests.server.conftest import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def web_photos(tmp_path_factory) -> Path:
    """Real photos, three derivatives (a resize, a recompressed copy, a crop) and a
    file that is not an image."""
    folder = tmp_path_factory.mktemp("web-photos")
    for i, name in enumerate(PHOTOS):
        skimage_photo(name).save(folder / (f"{name}.jpg" if i % 2 == 0 else f"{name}.png"))
    skimage_photo("astronaut").resize((440, 440)).save(folder / "astronaut_440.jpg", quality=70)
    skimage_photo("chelsea").save(folder / "chelsea_q50.jpg", quality=50)
    skimage_photo("coffee").crop((60, 40, 540, 360)).save(folder / "coffee_crop.jpg")
    (folder / "notes.jpg").write_bytes(b"these are notes, not a picture")
    return folder


@pytest.fixture(scope="session")
def web_col(tmp_path_factory, web_photos) -> lookalike.Collection:
    """The photos indexed (``test-pixels`` vectors: the pages do not depend on them)."""
    col = lookalike.create(tmp_path_factory.mktemp("web") / "photos")
    col.index(web_photos, model="test-pixels", progress=False)
    return col


@pytest.fixture(scope="session")
def web_ids(web_col) -> dict[str, str]:
    images = web_col.images(status="ok")
    return {Path(uri).name: i for i, uri in zip(images["id"], images["uri"], strict=True)}


@pytest.fixture(scope="session")
def web_server(web_col):
    """Started with labels allowed (``lookalike serve --allow-labels``): the duplicates
    page marks pairs."""
    with LiveServer(create_app(web_col, settings=Settings(allow_labels=True))) as server:
        yield server


@pytest.fixture(scope="session")
def read_only_server(web_col):
    """The default server: read-only."""
    with LiveServer(create_app(web_col)) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # Never a skip: scripts/setup.sh installs it, and a skipped browser suite hides defects.
        pytest.fail(f"Chromium is not at {CHROMIUM}: run bash scripts/setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, web_server):
    """A fresh page whose console errors and uncaught exceptions fail the test."""
    yield from _checked_page(browser, web_server.url)


@pytest.fixture
def read_only_page(browser, read_only_server):
    """The same, on the read-only server."""
    yield from _checked_page(browser, read_only_server.url)


def _checked_page(browser, base_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems
    yield page
    context.close()
    assert not problems, "\n".join(problems)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def forgive(page, *fragments: str) -> None:
    """Drop the console errors a test provoked on purpose (e.g. the browser's "Failed to
    load resource: ... status of 404" for a 404 page)."""
    page.problems[:] = [p for p in page.problems if not any(f in p for f in fragments)]


def expect_text(locator, text: str) -> None:
    """Wait (up to Playwright's timeout) until ``locator`` contains ``text``: pages fill
    in after their requests return, so a read right after an action would race."""
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)
