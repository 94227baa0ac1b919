"""The member map in headless Chromium (Playwright): how long until the pins are drawn, how many marker elements
the clustering leaves in the page, and how smooth a programmatic zoom/pan sequence runs (requestAnimationFrame
deltas and long tasks, measured inside the page). Used by `python -m bench.map --browser`."""

import statistics
from dataclasses import dataclass, field

# Runs before the page's own scripts: finds the Leaflet map (an init hook set the moment Leaflet defines `L`),
# records long tasks, and the first frame after the map announced its pins (map.js sets data-pins).
INSTRUMENT = """
(() => {
  const bench = window.__bench = { maps: [], longTasks: [], pinsAt: null, drawnAt: null };
  let leaflet;
  Object.defineProperty(window, "L", { configurable: true, get: () => leaflet, set: (value) => {
    leaflet = value;
    if (value && value.Map && !value.Map.benchHooked) {
      value.Map.benchHooked = true;
      value.Map.addInitHook(function () { bench.maps.push(this); });
    }
  }});
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { bench.longTasks.push([entry.startTime, entry.duration]); }
  }).observe({ type: "longtask", buffered: true });
  new MutationObserver(() => {
    const box = document.querySelector(".member-map[data-pins]");
    if (!box || bench.pinsAt !== null) { return; }
    bench.pinsAt = performance.now();
    // the frame that shows them, then the task after its paint
    requestAnimationFrame(() => setTimeout(() => { bench.drawnAt = performance.now(); }, 0));
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-pins"] });
})();
"""

# Zooms in step by step, pans around, flies to Berlin and back, zooms out: each step waits for its `moveend` and
# for markercluster's split/merge animation (~300 ms). Frame deltas come from a requestAnimationFrame loop.
SEQUENCE = """
async () => {
  const bench = window.__bench, map = bench.maps[0];
  const pane = document.querySelector(".leaflet-marker-pane");
  const frames = [], markers = [];
  let running = true, last = null, most = pane.childElementCount;
  const tick = (now) => {
    if (last !== null) { frames.push(now - last); }
    last = now;
    most = Math.max(most, pane.childElementCount);
    if (running) { requestAnimationFrame(tick); }
  };
  const step = (move) => new Promise((done) => {
    const timer = setTimeout(done, 5000);  // a move that changes nothing sends no moveend
    map.once("moveend", () => { clearTimeout(timer); done(); });
    move();
  }).then(() => new Promise((done) => setTimeout(done, 400))).then(() => markers.push(pane.childElementCount));
  requestAnimationFrame(tick);
  const start = performance.now();
  const home = map.getZoom();
  for (let zoom = home + 1; zoom <= home + 4; zoom++) { await step(() => map.setZoom(zoom)); }
  for (const offset of [[400, 0], [0, 300], [-400, 0], [0, -300], [600, 200]]) { await step(() => map.panBy(offset)); }
  await step(() => map.flyTo([52.52, 13.405], 11, { duration: 1.5 }));
  await step(() => map.flyTo([48.137, 11.575], 9, { duration: 1.5 }));
  for (let zoom = map.getZoom() - 1; zoom >= home; zoom--) { await step(() => map.setZoom(zoom)); }
  running = false;
  const end = performance.now();
  const tasks = bench.longTasks.filter(([at]) => at >= start && at <= end).map(([, duration]) => duration);
  return { frames, markers, most, tasks, seconds: (end - start) / 1000 };
}
"""

MARKERS = """() => {
  const pane = document.querySelector(".leaflet-marker-pane");
  return { all: pane.childElementCount, clusters: pane.querySelectorAll(".marker-cluster").length,
           pins: pane.querySelectorAll(".member-pin").length };
}"""


@dataclass
class Load:
    html_ms: float  # the page's HTML received, from navigation start
    dcl_ms: float  # the page's HTML parsed (DOMContentLoaded done), from navigation start
    geojson_ms: float  # the GeoJSON answer fully received, from navigation start
    drawn_ms: float  # pins and clusters painted, from navigation start
    markers: dict  # marker elements in the page once drawn: all, clusters, single pins
    load_tasks: list[float]  # long tasks (> 50 ms) until drawn
    frames: list[float] = field(default_factory=list)
    step_markers: list[int] = field(default_factory=list)
    most_markers: int = 0
    tasks: list[float] = field(default_factory=list)
    seconds: float = 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def map_load(*, browser, base: str, members: int) -> Load:
    """One visit to /map/ in a fresh context (no browser cache), offline, then the zoom/pan sequence."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        page.add_init_script(INSTRUMENT)
        page.goto(f"{base}/map/")
        page.wait_for_selector(f".member-map[data-pins='{members}']", state="attached")
        page.wait_for_function("window.__bench.drawnAt !== null")
        facts = page.evaluate("""() => ({
          drawn: window.__bench.drawnAt,
          html: performance.getEntriesByType("navigation")[0].responseEnd,
          dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
          geojson: performance.getEntriesByType("resource").filter((e) => e.name.includes("/map.geojson"))
                     .map((e) => e.responseEnd)[0],
          tasks: window.__bench.longTasks.filter(([at]) => at <= window.__bench.drawnAt).map(([, d]) => d),
        })""")
        load = Load(html_ms=facts["html"], dcl_ms=facts["dcl"], geojson_ms=facts["geojson"], drawn_ms=facts["drawn"], markers=page.evaluate(MARKERS),
                    load_tasks=facts["tasks"])
        page.wait_for_timeout(500)  # the outlines and the member list settle before the sequence
        moved = page.evaluate(SEQUENCE)
        load.frames, load.step_markers, load.most_markers = moved["frames"], moved["markers"], moved["most"]
        load.tasks, load.seconds = moved["tasks"], moved["seconds"]
        return load
    finally:
        context.close()


def browser_report(*, base: str, members: int, visits: int, chromium: str) -> None:
    """Print each visit's figures and a summary over all of them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            results = []
            for number in range(1, visits + 1):
                load = map_load(browser=browser, base=base, members=members)
                results.append(load)
                print(
                    f"visit {number}: HTML received {load.html_ms:.0f} ms, parsed {load.dcl_ms:.0f} ms, GeoJSON received {load.geojson_ms:.0f} ms, pins drawn {load.drawn_ms:.0f} ms "
                    f"(longest task before {max(load.load_tasks, default=0):.0f} ms); marker elements "
                    f"{load.markers['all']} ({load.markers['clusters']} clusters, {load.markers['pins']} pins); "
                    f"zoom/pan {load.seconds:.1f} s, {len(load.frames)} frames, median "
                    f"{statistics.median(load.frames):.1f} ms, p95 {percentile(load.frames, 0.95):.1f} ms, "
                    f"max {max(load.frames):.0f} ms; longest task {max(load.tasks, default=0):.0f} ms "
                    f"({len(load.tasks)} over 50 ms); marker elements per step {load.step_markers}, "
                    f"at most {load.most_markers}"
                )
        finally:
            browser.close()
    frames = [delta for load in results for delta in load.frames]
    print(
        f"summary of {visits} visits: pins drawn median {statistics.median(r.drawn_ms for r in results):.0f} ms; "
        f"marker elements at most {max(r.most_markers for r in results)}; frames median "
        f"{statistics.median(frames):.1f} ms, p95 {percentile(frames, 0.95):.1f} ms; longest task "
        f"{max((t for r in results for t in r.tasks), default=0):.0f} ms"
    )
