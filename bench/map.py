"""Member map speed: `python -m bench.map [--members 5000] [--requests 2000] [--browser [--visits 3]]`.

Starts `fediverse-node run` on loopback, stores 5,000 member organisations with positions and fields of work
(written straight to the database), then prints the cold time and the warm p50/p99 latency of `GET /map.geojson`
for a few filter combinations, on one keep-alive connection (`--requests 0` leaves this out).
With `--browser`, opens /map/ in headless Chromium (bench/map_browser.py): time until the pins and clusters are
drawn, marker elements in the page, and frame timing of a zoom/pan sequence.
"""

import argparse
import http.client
import shutil
import time

from bench.map_browser import browser_report
from tests.mapview.seed import members_seed
from tests.nodes import Node

QUERIES = ["", "?field=kinder-jugend", "?state=BY", "?q=organisation+12", "?field=migration&state=NW"]


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - start, response.status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--browser", action="store_true", help="also measure /map/ in headless Chromium")
    parser.add_argument("--visits", type=int, default=3, help="page visits with --browser")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    node = Node("bench-map")
    try:
        print("members stored:", members_seed(node=node, members=args.members))
        node.start()
        if args.requests:
            geojson_report(node=node, requests=args.requests)
        if args.browser:
            browser_report(base=node.base, members=args.members, visits=args.visits, chromium=args.chromium)
    finally:
        node.stop()
        node.cleanup()


def geojson_report(*, node: Node, requests: int) -> None:
    conn = http.client.HTTPConnection(node.host, node.port, timeout=30)
    print(f"{'query':<28} {'features KiB':>12} {'cold ms':>8} {'warm p50 ms':>11} {'warm p99 ms':>11} {'req/s':>7}")
    for query in QUERIES:
        cold, status, size = timed_get(conn, "/map.geojson" + query)
        assert status == 200, status
        for _ in range(20):  # every web worker process fills its own cache
            timed_get(conn, "/map.geojson" + query)
        times = sorted(timed_get(conn, "/map.geojson" + query)[0] for _ in range(requests))
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(f"{query or '(all)':<28} {size / 1024:>12.0f} {cold * 1000:>8.1f} {p50 * 1000:>11.2f} "
              f"{p99 * 1000:>11.2f} {len(times) / sum(times):>7.0f}")
    conn.close()


if __name__ == "__main__":
    main()
