"""The pages over the analysis features in headless Chromium: the atlas, duplicates
(marking a pair), a path, a graph, clusters."""

from __future__ import annotations

import csv
import io
import re

import requests
from playwright.sync_api import expect

from tests.web.conftest import expect_text, screenshot


def test_atlas_draws_every_image_and_opens_one_on_click(page, web_ids):
    page.goto("/?map=pca")
    canvas = page.locator("#atlas")
    page.wait_for_function("window.lookalikeAtlas && window.lookalikeAtlas.n === 9")
    expect_text(page.locator("#atlas-status"), "9 images, PCA")
    # nine images fit: thumbnails, not dots, once they are loaded
    page.wait_for_function("document.querySelector('#atlas').dataset.thumbnails === '9'")
    assert canvas.get_attribute("data-mode") == "thumbnails"
    screenshot(page, "collection-atlas")
    target = web_ids["rocket.png"] if "rocket.png" in web_ids else next(iter(web_ids.values()))
    x, y = page.evaluate(f"window.lookalikeAtlas.screenPosition('{target}')")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**/image/{target}")


def test_atlas_with_the_keyboard(page):
    page.goto("/?map=pca")
    page.wait_for_function("window.lookalikeAtlas && window.lookalikeAtlas.n === 9")
    page.locator("#atlas").focus()
    page.keyboard.press("+")
    page.keyboard.press("ArrowLeft")
    focused = page.evaluate("window.lookalikeAtlas.ids[window.lookalikeAtlas.focused]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/image/{focused}")


def test_mark_a_duplicate_pair_and_export(page, web_col, web_ids, web_server):
    page.goto("/duplicates?threshold=0.9")
    pair = page.locator(".pair").first
    pair.wait_for()
    expect_text(page.locator("#status"), "pairs in")
    assert not page.locator("#read-only").is_visible()
    a, b = pair.get_attribute("data-a"), pair.get_attribute("data-b")
    names = {web_ids_inv(web_ids)[a], web_ids_inv(web_ids)[b]}
    assert names in ({"astronaut.jpg", "astronaut_440.jpg"}, {"chelsea.png", "chelsea_q50.jpg"})
    pair.get_by_role("button", name="Same").click()
    expect_text(pair.locator(".label-state"), "labelled same")
    expect(pair.get_by_role("button", name="Same")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "duplicates")
    # saved in the collection, where calibration reads it
    from lookalike.store.labels import LabelStore

    saved = LabelStore(web_col._store.catalog).all()
    assert any({p.a, p.b} == {a, b} and p.same for p in saved)
    # after a reload the label is still shown
    page.reload()
    expect_text(page.locator(f".pair[data-a='{a}'] .label-state"), "labelled same")
    # the exports follow the slider
    href = page.locator("#export-pairs").get_attribute("href")
    rows = list(csv.DictReader(io.StringIO(requests.get(web_server.url + href[1:]).text)))
    assert {rows[0]["a"], rows[0]["b"]} == {a, b} and rows[0]["label"] == "same"
    href = page.locator("#export-dedup").get_attribute("href")
    kept = list(csv.DictReader(io.StringIO(requests.get(web_server.url + href[1:]).text)))
    assert len(kept) == len(web_ids) - len([r for r in rows if r["score"]]) or len(kept) < 9


def test_a_read_only_server_says_pairs_cannot_be_labelled(read_only_page):
    page = read_only_page
    page.goto("/duplicates?threshold=0.9")
    page.locator(".pair").first.wait_for()
    expect_text(page.locator("#read-only"), "lookalike serve --allow-labels")
    assert page.locator("#read-only").is_visible()
    assert page.locator(".pair button").count() == 0
    assert page.locator(".pair .label-state").count() >= 1


def web_ids_inv(web_ids):
    return {v: k for k, v in web_ids.items()}


def test_run_a_path_from_the_image_page(page, web_ids):
    page.goto(f"/image/{web_ids['astronaut.jpg']}")
    page.get_by_role("link", name="Path from this image…").click()
    page.wait_for_url("**/path?a=*")
    # The page fills A from the server after it loads: wait for it, then check.
    expect(page.locator("#a")).to_have_value("astronaut.jpg")
    page.fill("#b", "rock")
    page.locator("#b-list li").first.wait_for()
    page.keyboard.press("Enter")
    page.select_option("#method", "smooth")
    page.click("#path-form button[type=submit]")
    chain = page.locator("#chain .card")
    chain.first.wait_for()
    ids = chain.evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids[0] == web_ids["astronaut.jpg"] and ids[-1] == web_ids["rocket.png"]
    steps = page.locator("#chain .step").all_inner_texts()
    assert len(steps) == len(ids) - 1
    assert all(re.search(r"-?\d\.\d{3}", s) for s in steps)
    expect_text(page.locator("#result"), "smooth path")
    screenshot(page, "path")


def test_path_with_an_unknown_image_says_so(page):
    page.goto("/path")
    page.fill("#a", "nothing-like-this")
    page.fill("#b", "neither")
    page.click("#path-form button[type=submit]")
    expect_text(page.locator("#error"), 'No image matches "nothing-like-this"')


def test_grow_a_graph_and_open_a_node(page, web_ids, web_server):
    seed = web_ids["chelsea.png"]
    page.goto(f"/graph?seed={seed}&depth=2&k=3")
    page.wait_for_function("document.querySelector('#graph').dataset.nodes > 3")
    metrics = page.locator("#metrics").inner_text()
    assert re.search(r"Nodes\s+\d+", metrics) and "Diameter" in metrics
    nodes = page.locator("#node-list a").count()
    assert 4 <= nodes <= 9
    page.evaluate("window.lookalikeGraph.settle()")
    screenshot(page, "graph")
    href = page.locator("#export-graphml").get_attribute("href")
    graphml = requests.get(web_server.url + href[1:]).text
    assert graphml.count("<node ") == nodes and "similarity" in graphml
    assert "/tmp" not in graphml  # no file paths leave the server
    href = page.locator("#export-gexf").get_attribute("href")
    assert "<gexf" in requests.get(web_server.url + href[1:]).text
    # grow again with other controls, then click a node to open it
    page.fill("#depth", "1")
    page.click("#graph-form button[type=submit]")
    page.wait_for_function("document.querySelector('#graph').dataset.nodes === '4'")
    page.evaluate("window.lookalikeGraph.settle()")
    other = next(i for i in page.evaluate("window.lookalikeGraph.ids()") if i != seed)
    x, y = page.evaluate(f"window.lookalikeGraph.nodePosition('{other}')")
    page.mouse.click(x, y)
    page.wait_for_url(f"**/image/{other}")


def test_clusters_show_representatives_and_members(page):
    page.goto("/clusters?k=5")
    reps = page.locator(".cluster-card")
    expect(reps).to_have_count(5)
    sizes = [int(re.search(r"(\d+) image", t).group(1)) for t in reps.all_inner_texts()]
    assert sum(sizes) == 9 and sizes == sorted(sizes, reverse=True)
    reps.first.click()
    members = page.locator("#member-grid .card")
    expect(members).to_have_count(sizes[0])
    screenshot(page, "clusters")
    members.first.click()
    page.wait_for_url("**/image/*")
