"""How smoothly the web page's atlas moves with every image of a large collection on it:
headless Chromium against a real ``lookalike serve`` of an N-image collection (synthetic
vectors, real picture files; the builder of ``bench/serve.py``), zooming in from the
whole map to single thumbnails and out again.

Prints the time to the first drawn map, then per phase the milliseconds of one frame
(the atlas's ``draw()``, median and 95th percentile, measured in the page) beside the
frame budget of 60 frames per second (16.7 ms), and the frames actually shown per second
while the wheel zooms (requestAnimationFrame intervals).

    nice python bench/web_atlas.py               # N = 20000
    nice python bench/web_atlas.py --n 2000      # a quick look
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src"), str(ROOT)]

from serve import build_collection, free_port, start_server  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the tests' browser)

BUDGET_MS = 1000 / 60

# Zoom in by `factor` per step around the centre, drawing each frame synchronously and
# timing it; the page's own drawing loop is what a person sees, draw() is its work.
DRAW_STEPS = """
async ([steps, factor]) => {
  const a = window.lookalikeAtlas, times = [], modes = [];
  for (let i = 0; i < steps; i++) {
    a.zoom(factor);
    const t = performance.now();
    a.draw();
    times.push(performance.now() - t);
    modes.push(a.stats.mode);
    await new Promise((r) => setTimeout(r, 30));  // let thumbnails arrive, as a person would
  }
  return { times, modes };
}
"""

# Frames shown per second while wheel events zoom (the real input path).
WHEEL_FPS = """
async ([events, deltaY]) => {
  const c = document.getElementById("atlas"), r = c.getBoundingClientRect();
  const stamps = [];
  let on = true;
  const tick = (t) => { stamps.push(t); if (on) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  for (let i = 0; i < events; i++) {
    c.dispatchEvent(new WheelEvent("wheel", {
      deltaY, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, cancelable: true,
    }));
    await new Promise((res) => requestAnimationFrame(res));
  }
  on = false;
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
  return { seconds: (stamps[stamps.length - 1] - stamps[0]) / 1000, frames: gaps.length };
}
"""


def summary(times: list[float]) -> str:
    times = sorted(times)
    median, p95 = times[len(times) // 2], times[min(len(times) - 1, int(0.95 * len(times)))]
    return (
        f"median {median:6.2f} ms, p95 {p95:6.2f} ms  "
        f"(p95 = {p95 / BUDGET_MS:.2f} x the 16.7 ms budget)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=256)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="lookalike-atlas-") as tmp:
        path = Path(tmp) / "col"
        build_collection(path, args.n, args.dim)
        port = free_port()
        proc, _ = start_server(path, port)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/?map=pca", timeout=600_000)
                page.wait_for_function(
                    f"window.lookalikeAtlas && window.lookalikeAtlas.n === {args.n}",
                    timeout=600_000,
                )
                first = time.perf_counter() - t
                print(
                    f"{args.n} images on the atlas (PCA map), first drawn {first:.1f} s after "
                    "the page was asked for (the map is computed once, then saved)\n"
                )
                zoom_in = page.evaluate(DRAW_STEPS, [40, 1.15])
                zoom_out = page.evaluate(DRAW_STEPS, [40, 1 / 1.15])
                for label, run in (("zooming in", zoom_in), ("zooming out", zoom_out)):
                    modes = sorted(set(run["modes"]))
                    print(f"{label:<12} draw(): {summary(run['times'])}; modes {', '.join(modes)}")
                page.evaluate("window.lookalikeAtlas.fit()")
                wheel = page.evaluate(WHEEL_FPS, [60, -60])
                fps = wheel["frames"] / wheel["seconds"] if wheel["seconds"] else 0.0
                print(
                    f"wheel zoom: {wheel['frames']} frames in {wheel['seconds']:.2f} s = "
                    f"{fps:.0f} frames/s (60 is the display's rate)"
                )
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
