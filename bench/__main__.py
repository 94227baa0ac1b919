"""All benchmarks as one command: `python -m bench [--backend embedded|postgres|both] [--quick]`.

Per back-end, in fresh node processes (`tests/nodes.py` Node; PostgreSQL + Redis with real Celery workers when
FEDINODE_TEST_BACKEND=postgres, which this command sets for that column):

- a federation node: WebFinger, actor and public post GET/s (bench/load.py, 32 kept-alive connections), signed inbox POSTs
  accepted/s and processed/s (bench/federation.py), one post fanned out to N followers on M loopback inboxes,
  then three more to the same inboxes (their connections kept);
- a client API node: home timeline requests/s and p99 (bench/api.py);
- a website node: community feed page requests/s and p99 (bench/site.py, page cache as deployed);
- after each node's run, VmRSS of its web and worker processes.

Prints one table: rows = measurements, columns = embedded | postgres+redis | target (issue #7, on PostgreSQL).
`--quick` uses tiny sizes (a smoke check of the harness in a few minutes, not a measurement).
"""

import argparse
import contextlib
import json
import os
import sys
import time
import traceback
from urllib.parse import quote

from tests.nodes import AS_JSON, Node

from . import api, site
from .federation import bench_fanout, bench_inbox, loopback_sinks
from .load import raw_request, send_requests
from .probe import Probe
from .procs import machine_gauge, memory_summary, node_processes
from .sinks import InboxSinks

SIZES = {
    "full": {
        "gets": 50_000, "inbox_posts": 10_000, "followers": 10_000, "inboxes": 1_000,
        "api_posts": 10_000, "authors": 50, "site_orgs": 500, "site_posts": 50_000, "seconds": 10.0, "warmup": 2.0,
    },
    "quick": {
        "gets": 2_000, "inbox_posts": 200, "followers": 500, "inboxes": 50,
        "api_posts": 500, "authors": 10, "site_orgs": 50, "site_posts": 1_000, "seconds": 2.0, "warmup": 1.0,
    },
}
BACKENDS = {"embedded": "embedded", "postgres": "postgres+redis"}
# as deployed: tests/nodes.py turns the document cache off for tests, a benchmark measures it on (its default)
NODE_ENV = {"LOG_LEVEL": "WARNING", "FEDINODE_RATE_LIMITS": "0", "FEDINODE_DOCUMENT_CACHE_SECONDS": "10"}
# the federation node as deployed: the inbox counts every POST (its limit, 12,000 a minute per sender, is not reached);
# the API and site nodes run without, a benchmark's one token would exceed the API's 300 requests in 5 minutes
FEDERATION_ENV = {**NODE_ENV, "FEDINODE_RATE_LIMITS": "1"}
GET_CONCURRENCY = 32
INBOX_CONCURRENCY = 32
API_CONCURRENCY, API_PROCESSES = 8, 2


@contextlib.contextmanager
def backend(name: str):
    """Nodes made inside run on this back-end (tests/nodes.py reads FEDINODE_TEST_BACKEND when one is made)."""
    saved = os.environ.get("FEDINODE_TEST_BACKEND")
    if name == "postgres":
        os.environ["FEDINODE_TEST_BACKEND"] = "postgres"
    else:
        os.environ.pop("FEDINODE_TEST_BACKEND", None)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("FEDINODE_TEST_BACKEND", None)
        else:
            os.environ["FEDINODE_TEST_BACKEND"] = saved


@contextlib.contextmanager
def running(node: Node, memory: list, *, start: bool = True):
    """Start the node (unless already started), record its processes' memory at the end, stop and remove it."""
    try:
        if start:
            node.start()
        yield node
        memory.extend(node_processes(node.process.pid))
    finally:
        node.stop()
        node.cleanup()


def get_rate(node: Node, path: str, headers: dict[str, str], count: int) -> dict:
    """`count` GETs of one path over GET_CONCURRENCY kept-alive connections, after a tenth as many to warm up."""
    request = raw_request("GET", node.domain, path, headers)
    send_requests(node.host, node.port, [request] * max(200, count // 10), GET_CONCURRENCY)
    seconds, statuses, latencies = send_requests(node.host, node.port, [request] * count, GET_CONCURRENCY)
    latencies.sort()
    return {
        "path": path, "requests": count, "statuses": statuses, "requests/s": round(statuses.get(200, 0) / seconds),
        "p99 ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
    }


class Run:
    """The measurements of one back-end: each phase's raw result, and the table's cells."""

    def __init__(self, name: str, sizes: dict):
        self.name, self.sizes = name, sizes
        self.cells: dict[str, str] = {}
        self.memory: list[dict] = []
        self.failures: list[str] = []

    def report(self, phase: str, result) -> None:
        print(f"[{self.name}] {phase}: {json.dumps(result)}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def phase(self, phase: str, rows: list[str]):
        """Run one phase; if it fails, its rows say so and the next phase still runs."""
        started = time.monotonic()
        # the machine's speed for the same work (CPU ms; it moves with the host): figures of phases run at different
        # speeds are not comparable
        print(f"[{self.name}] {phase} … (machine gauge {machine_gauge():.0f} ms)", file=sys.stderr, flush=True)
        try:
            yield
        except Exception as error:
            traceback.print_exc()
            self.failures.append(f"{self.name} {phase}: {type(error).__name__}: {error}".splitlines()[0])
            for row in rows:
                self.cells.setdefault(row, "failed")
        print(f"[{self.name}] {phase} done in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)

    def federation(self) -> None:
        s = self.sizes
        rows = [ROW_WEBFINGER, ROW_ACTOR, ROW_POST, ROW_ACCEPTED, ROW_PROCESSED, ROW_FANOUT, ROW_DELIVERIES]
        with self.phase("federation node", rows), running(Node("bench-fed", env=FEDERATION_ENV), self.memory) as node:
            node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
            with Probe(node.env) as probe:
                with self.phase("WebFinger GETs", [ROW_WEBFINGER]):
                    path = "/.well-known/webfinger?resource=" + quote(f"acct:sender@{node.domain}", safe="")
                    result = get_rate(node, path, {"Accept": "application/jrd+json"}, s["gets"])
                    self.report("webfinger", result)
                    self.cells[ROW_WEBFINGER] = rate(result)
                with self.phase("actor GETs", [ROW_ACTOR]):
                    result = get_rate(node, "/actors/sender", {"Accept": AS_JSON}, s["gets"])
                    self.report("actor", result)
                    self.cells[ROW_ACTOR] = rate(result)
                with self.phase("post GETs", [ROW_POST]):
                    post_path = node.cli("post", "sender", "Ein Beitrag, den viele Server abrufen").split(node.domain, 1)[1]
                    result = get_rate(node, post_path, {"Accept": AS_JSON}, s["gets"])
                    self.report("post", result)
                    self.cells[ROW_POST] = rate(result)
                with self.phase("inbox POSTs", [ROW_ACCEPTED, ROW_PROCESSED]):
                    result = bench_inbox(node, s["inbox_posts"], INBOX_CONCURRENCY, probe)
                    self.report("inbox", result)
                    accepted = result["statuses"].get(202, 0)
                    self.cells[ROW_ACCEPTED] = f"{result['accepted/s']:,}/s (p99 {result['p99 ms']:g} ms)" + (
                        "" if accepted == s["inbox_posts"] else f", {s['inbox_posts'] - accepted} refused")
                    self.cells[ROW_PROCESSED] = f"{result['processed/s']:,}/s ({result['processed seconds']:.1f} s)" + (
                        "" if result["processed"] == accepted else f", {accepted - result['processed']} not processed")
                with self.phase("fan-out", [ROW_FANOUT, ROW_DELIVERIES]):
                    sinks = InboxSinks(loopback_sinks(s["inboxes"]))
                    try:
                        # the first to servers never posted to (a connection each); then again to the same ones
                        results = [bench_fanout(node, sinks, s["followers"], True, probe)
                                   for _ in range(1 + FANOUT_AGAIN)]
                    finally:
                        sinks.stop()
                    first, again = results[0], sorted(results[1:], key=lambda result: result["seconds"])
                    median = again[len(again) // 2]
                    self.report("fan-out", {"first": first, "again": again})
                    missing = sum(result["inboxes"] - result["delivered"] for result in results)
                    self.cells[ROW_FANOUT] = (f"{first['seconds']:.2f} s first, {median['seconds']:.2f} s again"
                                              + (f", {missing} not delivered" if missing else ""))
                    self.cells[ROW_DELIVERIES] = (f"{first['deliveries/s']:,}/s first, {median['deliveries/s']:,}/s "
                                                  f"again ({first['delivered']:,} inboxes)")

    def timeline(self) -> None:
        s = self.sizes
        node = Node("bench-api", env=NODE_ENV)
        with self.phase("client API node", [ROW_TIMELINE]), running(node, self.memory, start=False):
            api.seed(node, s["api_posts"], s["authors"])
            node.start()
            session = api.log_in(node.base, username="leser", password=api.PASSWORD)
            token = session.headers["Authorization"].split()[1]
            self.cells[ROW_TIMELINE] = self._page(node, "/api/v1/timelines/home", token, "home timeline")

    def feed(self) -> None:
        s = self.sizes
        node = Node("bench-site", env=NODE_ENV)
        with self.phase("website node", [ROW_FEED]), running(node, self.memory, start=False):
            node.cli("migrate", "--verbosity", "0")
            count = node.query(site.SEED.format(orgs=s["site_orgs"], posts=s["site_posts"]))
            assert count == s["site_posts"], count
            node.start()
            self.cells[ROW_FEED] = self._page(node, "/feed/", "", "community feed")

    def _page(self, node: Node, path: str, token: str, label: str) -> str:
        options = {"concurrency": API_CONCURRENCY, "processes": API_PROCESSES}
        api.measure(node, path, token, seconds=self.sizes["warmup"], **options)
        result = api.measure(node, path, token, seconds=self.sizes["seconds"], **options)
        self.report(label, result)
        errors = sum(result["errors"].values())
        return f"{result['requests/s']:,}/s (p99 {result['p99 ms']:g} ms)" + (f", {errors} not 200" if errors else "")

    def memory_cells(self) -> None:
        self.report("processes", self.memory)
        summary = memory_summary(self.memory)
        for row, role in ((ROW_WEB_MEMORY, "web worker"), (ROW_WORKER_MEMORY, "worker")):
            if role in summary:
                largest, count = summary[role]
                self.cells[row] = f"{largest:.0f} MB (largest of {count})"
            else:
                self.cells.setdefault(row, "—")


def rate(result: dict) -> str:
    bad = result["requests"] - result["statuses"].get(200, 0)
    return f"{result['requests/s']:,}/s (p99 {result['p99 ms']:g} ms)" + (f", {bad} not 200" if bad else "")


# Fan-outs after the first, to the same inboxes (their connections kept): the table shows the first and the median
FANOUT_AGAIN = 3
ROW_WEBFINGER = "WebFinger GET"
ROW_ACTOR = "actor GET"
ROW_POST = "post GET"
ROW_ACCEPTED = "signed inbox POST accepted"
ROW_PROCESSED = "inbox POST processed to the feed"
ROW_FANOUT = "fan-out: all delivered"
ROW_DELIVERIES = "fan-out deliveries/s"
ROW_TIMELINE = "home timeline"
ROW_FEED = "community feed page"
ROW_WEB_MEMORY = "RSS per web worker process"
ROW_WORKER_MEMORY = "RSS per Celery worker process"
TARGETS = {
    ROW_WEBFINGER: ">= 5,000/s",
    ROW_ACTOR: ">= 5,000/s",
    ROW_POST: "",
    ROW_ACCEPTED: ">= 2,000/s",
    ROW_PROCESSED: ">= 1,000/s",
    ROW_FANOUT: "< 3 s (10,000 / 1,000)",
    ROW_DELIVERIES: "",
    ROW_TIMELINE: ">= 500/s, p99 < 100 ms (#3)",
    ROW_FEED: ">= 300/s, p99 < 150 ms (#4)",
    ROW_WEB_MEMORY: "< 120 MB",
    ROW_WORKER_MEMORY: "",
}


def labels(sizes: dict) -> dict[str, str]:
    """Row titles with the sizes they were measured at."""
    return {
        ROW_WEBFINGER: f"WebFinger GET/s ({sizes['gets']:,} requests, {GET_CONCURRENCY} connections)",
        ROW_ACTOR: f"actor GET/s ({sizes['gets']:,} requests, {GET_CONCURRENCY} connections)",
        ROW_POST: f"public post as ActivityStreams GET/s ({sizes['gets']:,} requests, {GET_CONCURRENCY} connections)",
        ROW_ACCEPTED: f"signed inbox POST/s accepted ({sizes['inbox_posts']:,} Create)",
        ROW_PROCESSED: "inbox POST/s processed to the feed (time from first POST)",
        ROW_FANOUT: f"fan-out, {sizes['followers']:,} followers on {sizes['inboxes']:,} inboxes: until all delivered "
                    f"(the first; the median of {FANOUT_AGAIN} more)",
        ROW_DELIVERIES: "fan-out deliveries/s (shared inboxes)",
        ROW_TIMELINE: f"home timeline req/s ({sizes['api_posts']:,} posts, {sizes['seconds']:g} s)",
        ROW_FEED: f"community feed page req/s ({sizes['site_posts']:,} posts, page cache on)",
        ROW_WEB_MEMORY: "RSS per web worker process, after the run",
        ROW_WORKER_MEMORY: "RSS per Celery worker process, after the run",
    }


def table(runs: list[Run], sizes: dict) -> str:
    titles = labels(sizes)
    header = ["measurement", *(BACKENDS[run.name] for run in runs), "target (PG + Redis)"]
    rows = [[titles[row], *(run.cells.get(row, "not run") for run in runs), TARGETS[row]] for row in TARGETS]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke check of the harness")
    for name, value in SIZES["full"].items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=None, help=f"default {value:,}")
    args = parser.parse_args()
    sizes = dict(SIZES["quick" if args.quick else "full"])
    sizes.update({name: getattr(args, name) for name in sizes if getattr(args, name) is not None})
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    started = time.monotonic()
    runs = []
    for name in ["embedded", "postgres"] if args.backend == "both" else [args.backend]:
        run = Run(name, sizes)
        runs.append(run)
        with backend(name):
            run.federation()
            run.timeline()
            run.feed()
        run.memory_cells()
    print(f"\n`{' '.join(['python -m bench', *sys.argv[1:]])}` — {os.cpu_count()} cores, "
          f"{time.monotonic() - started:.0f} s, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print(table(runs, sizes))
    failures = [failure for run in runs for failure in run.failures]
    for failure in failures:
        print(f"failed: {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
