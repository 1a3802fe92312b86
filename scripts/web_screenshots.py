"""Screenshots of every page of the web UI, from a real collection, for docs/web.md.

Usage: python scripts/web_screenshots.py COLLECTION OUT_DIR
Serves COLLECTION on a free localhost port, drives Debian's headless Chromium with
Playwright through each page and saves OUT_DIR/web-<page>.png.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests/

import lookalike
from lookalike.server import Settings, create_app
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # the web tests' browser and flags


def main(collection: str, out: str) -> None:
    from playwright.sync_api import sync_playwright

    col = lookalike.open(collection)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(col, settings=Settings(allow_labels=True)), port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    ids = {Path(u).name: i for i, u in zip(col.images()["id"], col.images()["uri"], strict=True)}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(120_000)

            def shot(name: str, full: bool = False) -> None:
                page.wait_for_timeout(800)
                page.screenshot(path=str(out_dir / f"web-{name}.png"), full_page=full)
                print("saved", out_dir / f"web-{name}.png")

            page.goto(f"{base}/?map=umap&clusters=5")
            page.wait_for_function("window.lookalikeAtlas")
            page.locator("#atlas").scroll_into_view_if_needed()
            page.wait_for_function("document.querySelector('#atlas').dataset.thumbnails > 40")
            page.evaluate("window.scrollTo(0, 0)")
            shot("collection", full=True)
            page.goto(f"{base}/image/{ids['LadyBird.jpg']}?k=8")
            page.locator("#neighbour-grid .card").first.wait_for()
            shot("image", full=True)
            page.goto(f"{base}/duplicates")
            page.locator(".pair").first.wait_for()
            page.locator(".pair").first.get_by_role("button", name="Same").click()
            shot("duplicates")
            a, b = ids["astronaut.png"], ids["Garden.jpg"]
            page.goto(f"{base}/path?a={a}&b={b}&method=smooth")
            page.locator("#chain .card").first.wait_for()
            shot("path")
            page.goto(f"{base}/graph?seed={ids['chelsea.png']}&depth=2&k=4")
            page.wait_for_function("document.querySelector('#graph').dataset.nodes > 3")
            page.evaluate("window.lookalikeGraph.settle()")
            shot("graph")
            page.goto(f"{base}/clusters?k=6&cluster=0")
            page.locator("#member-grid .card").first.wait_for()
            shot("clusters", full=True)
            page.goto(f"{base}/image/no-such-image")
            shot("not-found")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main(*sys.argv[1:3])
