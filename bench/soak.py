"""Soak: `python -m bench.soak [--backend embedded|postgres] [--minutes 30] [--window 60] [--rate-inbox N]
[--rate-timeline N] [--rate-pages N] [--posts-per-minute N]` (issue #20: memory and latency stay flat under
load).

One `fediverse-node run` as deployed (bench/__main__.py's NODE_ENV; PostgreSQL + Redis with --backend
postgres), seeded with bench/api.py's timeline data (reader `leser`, 10 organisations, 2,000 posts), an
organisation `sender` with 2,000 followers on 1,000 loopback shared inboxes (bench/sinks.py) and `ziel`, whom
the peer's posts mention. Then for --minutes, at fixed rates, open loop: every request has a time slot and its
latency counts from the slot, so a node that falls behind shows it in the latency, not in a lower offered
rate.

- inbox: signed Create(Note) POSTs from a bovine peer (bench/federation.py presigned_creates), signed by a
  process of their own a few seconds ahead of their slots;
- timeline: GET /api/v1/timelines/home with the reader's token;
- pages: GET /, /feed/, /members/, /members/sender/ in turn (anonymous, page cache as deployed);
- deliveries: a post by `sender` (POST /api/v1/statuses) every 60/--posts-per-minute s, to the 1,000 inboxes.

Default rates: about half of the embedded back-end's peaks in docs/benchmarks.md (the four full runs of
2026-12-02): inbox 800/s, half of 1,170–1,792/s *processed* (half of the 3,821–4,111/s accepted would outrun
processing, and the backlog would grow by construction); timeline 300/s, half of 514–668/s; pages 1,500/s,
half of the community feed's 2,836–3,246/s with the page cache on; 26 posts a minute x 1,000 inboxes = 433
deliveries/s, half of 825–881/s. Each peak was measured alone on the whole machine, so together these halves
ask for about twice what it served then: on 2 cores expect "not kept up" at the defaults, and give lower rates
with the options. Run it on an otherwise idle machine: the node's workers run at nice 10 and are the first to
starve when other work shares the cores.

On PostgreSQL the harness does every minute what autovacuum does in service with its default settings (CI's server
runs without it): it vacuums each table of which more than a fifth (and 50 rows) is dead, analyses each of which
more than a tenth (and 50 rows) changed since its last analysis, paced as autovacuum paces itself; `--no-vacuum`
leaves out the vacuums (the dead index entries of the queues then stay, as between a large table's vacuums).

Every --window seconds one line: per kind requests answered 2xx per second, p50/p99 in ms and what was not a
2xx (late: a slot dropped 2 s behind; conn: a broken connection or no answer in 30 s; unsigned: the signer
fell behind); deliveries/s, and the delay from a delivery's row to its sent_at over the posts whose deliveries
all ended in the window; the inbox backlog and the processed rate; the node's memory (PSS summed over the
processes under `run`: on PostgreSQL the database and Redis are not in it) and CPU in % of one core (harness:
the load generator, signer, sinks and probe); the gauge, the harness's CPU ms for a fixed piece of work, which
moves when the machine itself gets slower or faster (not judged). At the end, memory and each p99 of the first window after a
warm-up window against the last one (and the max): PASS if none grew beyond 10 % and the node kept up (each
kind answered >= 90 % of its rate in every window, under 10 s of inbox POSTs waiting at the end). A second verdict
pools the requests (and deliveries) of each half of the windows after the warm-up and compares the two halves'
p99s (memory as before): a trend shows there, where one window's p99 swings with a few busy seconds of the
machine. Exit status 0 either way (a measurement); 1 if the harness failed.
"""

import argparse
import asyncio
import contextlib
import itertools
import multiprocessing
import os
import queue
import sys
import time
import traceback
import uuid
from collections import deque

import requests

from tests.interop.bovine_peer import BovinePeer
from tests.nodes import Node

from . import api
from .__main__ import NODE_ENV, backend
from .federation import INBOX_LEFT, loopback_sinks, presigned_creates, seed_followers
from .load import _read_response, raw_request
from .probe import Probe
from .procs import _cpu_seconds, cpu_snapshot, machine_gauge, node_processes
from .sinks import InboxSinks

FOLLOWERS, INBOXES = 2_000, 1_000
CONNECTIONS = {"inbox": 32, "timeline": 16, "pages": 32}  # enough for rate x latency (Little)
PAGES = ["/", "/feed/", "/members/", "/members/sender/"]
LATE = 2.0  # a slot this far behind is dropped (and counted), not sent in a catch-up burst
LIMIT = 10.0  # growth allowed, in %
FORK = multiprocessing.get_context("fork")

# The deliveries of the outgoing activities above `after` (their rows are made at once, at the fan-out): each
# activity's are counted once, when none of them is pending any more, with the delay from row to sent_at.
DELIVERIES = """
from outbox.models import Delivery
rows = list(Delivery.objects.filter(activity_id__gt=after).values_list('activity_id', 'state', 'created_at', 'sent_at'))
waiting = {activity for activity, state, _, _ in rows if state == 'pending'}
done = min(waiting) - 1 if waiting else max([after] + [row[0] for row in rows])
delays = sorted((sent - made).total_seconds() for activity, state, made, sent in rows if activity <= done and sent)
pct = lambda p: round(delays[min(len(delays) - 1, int(len(delays) * p))] * 1000, 1) if delays else None
result = [done, sum(state == 'pending' for _, state, _, _ in rows), pct(0.5), pct(0.99), delays]
"""

# Autovacuum's rules with its default settings (autovacuum_naptime 1 min, vacuum and analyze scale factors 0.2 and
# 0.1, thresholds 50 rows, cost delay 2 ms, cost limit 200): CI's server here runs with autovacuum off. Without it,
# statistics taken at the seed (the inbox's peer had no posts yet) had the API's status counts read all 170,000 of
# its posts in a sequential scan after 25 minutes, and the queues' dead index entries grew without end.
MAINTAIN_SECONDS = 60
MAINTAIN = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SET vacuum_cost_delay = '2ms'")
    cursor.execute('SET vacuum_cost_limit = 200')
    cursor.execute('SELECT relid::regclass::text, n_live_tup, n_dead_tup, n_mod_since_analyze FROM pg_stat_user_tables')
    done = []
    for table, live, dead, changed in cursor.fetchall():
        if vacuum and dead > 50 + 0.2 * live:
            cursor.execute(f'VACUUM {table}')
            done.append(f'vacuum {table}')
        if changed > 50 + 0.1 * live:
            cursor.execute(f'ANALYZE {table}')
            done.append(f'analyze {table}')
result = done
"""


def pct(values: list[float], p: float) -> float | None:
    """The p-quantile of sorted seconds, in ms."""
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1) if values else None


async def _generate(host: str, port: int, plan: dict, t0: float, windows: int, window: float, out) -> None:
    """Each kind: `connections` kept-alive connections taking the next free slot of `rate` per second."""
    stats: dict[str, tuple[list[float], dict]] = {kind: ([], {}) for kind in plan}
    end = t0 + windows * window

    def record(kind: str, outcome, latency: float | None = None) -> None:
        stats[kind][1][outcome] = stats[kind][1].get(outcome, 0) + 1
        if latency is not None:
            stats[kind][0].append(latency)

    async def connection(kind: str, rate: float, slots, next_request) -> None:
        reader = writer = None
        while (scheduled := t0 + next(slots) / rate) < end:
            if (delay := scheduled - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            elif delay < -LATE:
                record(kind, "late")
                continue
            if (request := next_request()) is None:
                record(kind, "unsigned")
                continue
            try:
                if reader is None or writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                status = await asyncio.wait_for(_read_response(reader), 30)
            except (OSError, EOFError, TimeoutError, ValueError, asyncio.LimitOverrunError):
                record(kind, "conn")
                if writer:
                    writer.close()
                reader = writer = None
                continue
            record(kind, status, time.monotonic() - scheduled)
        if writer:
            writer.close()

    def snapshot() -> dict:
        summary = {}
        for kind, (latencies, counts) in stats.items():
            latencies.sort()
            ok = sum(n for outcome, n in counts.items() if isinstance(outcome, int) and 200 <= outcome < 300)
            errors = {str(k): n for k, n in counts.items() if not (isinstance(k, int) and 200 <= k < 300)}
            summary[kind] = {"ok": ok, "p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99), "errors": errors,
                             "latencies": list(latencies)}  # for the pooled percentiles of the summary
            latencies.clear()
            counts.clear()
        return summary

    async def windows_out() -> None:
        for k in range(1, windows):
            await asyncio.sleep(max(0.0, t0 + k * window - time.monotonic()))
            out.put(snapshot())

    await asyncio.gather(windows_out(), *(
        connection(kind, rate, slots, next_request)
        for kind, (rate, connections, next_request) in plan.items()
        for slots in [itertools.count()] for _ in range(connections)))
    out.put(snapshot())  # the last window, with the answers that came after its end


def _load(node: Node, token: str, rates: dict, signed, t0: float, windows: int, window: float, out) -> None:
    """The load generator's process (one asyncio loop: it costs the node's cores as little as it can)."""
    ready: deque[bytes] = deque()

    def next_inbox() -> bytes | None:
        if not ready:
            try:
                ready.extend(signed.get_nowait())
            except queue.Empty:
                return None
        return ready.popleft()

    timeline = raw_request("GET", node.domain, "/api/v1/timelines/home",
                           {"Authorization": f"Bearer {token}", "Accept": "application/json"})
    pages = itertools.cycle([raw_request("GET", node.domain, path, {"Accept": "text/html"}) for path in PAGES])
    sources = {"inbox": next_inbox, "timeline": lambda: timeline, "pages": lambda: next(pages)}
    plan = {kind: (rate, CONNECTIONS[kind], sources[kind]) for kind, rate in rates.items() if rate > 0}
    asyncio.run(_generate(node.host, node.port, plan, t0, windows, window, out))


def _sign(peer: BovinePeer, node: Node, signed) -> None:
    """The signer's process: batches of 50 signed POSTs, as far ahead as the queue holds."""
    while True:
        signed.put([raw_request("POST", node.domain, "/inbox", headers, body)
                    for body, headers in presigned_creates(peer, node, node.actor_url("ziel"), 50)])


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def line(k: int, windows: int, row: dict) -> str:
    kinds = [f"{kind} {s['rate']:.0f}/s {ms(s['p50'])}/{ms(s['p99'])} ms"
             + "".join(f" {error}:{n}" for error, n in s["errors"].items()) for kind, s in row["load"].items()]
    d, failed = row["delivery"], row["posts_failed"]
    kinds.append(f"deliveries {d['rate']:.0f}/s {ms(d['p50'])}/{ms(d['p99'])} ms, pending {d['pending']}, "
                 f"{row['posts']} posts (slowest {row['post_ms']:.0f} ms{f', {failed} failed' if failed else ''})")
    kinds.append(f"inbox backlog {row['backlog']}, processed ~{row['processed']:.0f}/s")
    kinds.append(f"PSS {row['pss']:.0f} MB | CPU node {row['cpu_node']:.0f} %, harness {row['cpu_harness']:.0f} % | "
                 f"gauge {row['gauge']:.0f} ms")
    return f"[{k}/{windows}] " + " | ".join(kinds)


def soak(node: Node, args, windows: int) -> list[dict]:
    rates = {"inbox": args.rate_inbox, "timeline": args.rate_timeline, "pages": args.rate_pages}
    with contextlib.ExitStack() as stack:
        stack.callback(node.cleanup)
        stack.callback(node.kill)
        api.seed(node, 2_000, 10)
        node.cli("createorg", "ziel", "--email", "z@example.org", "--password", "ziel-pass-1")
        node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
        for i in range(5):  # before the followers: pages have content, and nothing to deliver yet
            node.cli("post", "sender", f"Soak seed post {i}")
        sinks = InboxSinks(loopback_sinks(INBOXES))
        stack.callback(sinks.stop)
        seed_followers(node, sinks.addresses, FOLLOWERS, True)
        node.start()
        assert node.process is not None
        root = node.process.pid
        token = api.log_in(node.base, username="leser", password=api.PASSWORD).headers["Authorization"].split()[1]
        author = api.log_in(node.base, username="sender", password="sender-pass-1")
        peer = stack.enter_context(BovinePeer("soak"))
        probe = stack.enter_context(Probe(node.env))
        signed = FORK.Queue(maxsize=max(4, int(args.rate_inbox * 3 / 50)))  # about 3 s ahead
        out = FORK.Queue()
        signer = FORK.Process(target=_sign, args=(peer, node, signed), daemon=True)
        if args.rate_inbox > 0:
            signer.start()
            stack.callback(signer.terminate)
            time.sleep(2)  # a head start: the queue fills before the first slot
        t0 = time.monotonic() + 1
        load = FORK.Process(target=_load, args=(node, token, rates, signed, t0, windows, args.window, out),
                            daemon=True)
        load.start()
        stack.callback(load.terminate)
        helpers = [signer.pid, load.pid, sinks.process.pid, probe.process.pid]

        def cpu() -> tuple[float, float]:
            roles = cpu_snapshot(root)
            # PostgreSQL and Redis are every process of theirs on the machine: only counted when the node uses them
            own = sum(seconds for role, seconds in roles.items()
                      if args.backend == "postgres" or role not in ("postgres", "redis"))
            return own, sum(_cpu_seconds(pid) for pid in helpers if pid)

        after, cpu_before = 0, cpu()
        backlog, delivered = probe.run(INBOX_LEFT), sinks.count
        interval = 60 / args.posts_per_minute if args.posts_per_minute > 0 else float("inf")
        next_post, rows = t0, []
        next_maintain = t0 + MAINTAIN_SECONDS if args.backend == "postgres" else float("inf")
        for k in range(1, windows + 1):
            boundary, posts, failed, post_ms = t0 + k * args.window, 0, 0, 0.0
            while (now := time.monotonic()) < boundary:
                if now >= next_maintain:
                    done = probe.run(MAINTAIN, vacuum=not args.no_vacuum)
                    print(f"  maintenance at {now - t0:.0f} s: {', '.join(done) or 'nothing due'}", file=sys.stderr)
                    next_maintain += MAINTAIN_SECONDS
                elif now >= next_post:  # as a member's app posts: the node's web process writes and fans out
                    try:
                        text = f"Soak {k}: {uuid.uuid4()}"
                        failed += not author.post("/api/v1/statuses", json={"status": text}).ok
                    except requests.RequestException:
                        failed += 1
                    posts, next_post = posts + 1, next_post + interval
                    post_ms = max(post_ms, (time.monotonic() - now) * 1000)
                else:
                    time.sleep(max(0.0, min(boundary, next_post, next_maintain) - now))
            load_stats = out.get(timeout=args.window + 60)
            left = probe.run(INBOX_LEFT)
            pss = sum(process["pss_mb"] or 0.0 for process in node_processes(root))
            after, pending, d50, d99, delays = probe.run(DELIVERIES, after=after)
            cpu_after, count = cpu(), sinks.count
            for s in load_stats.values():
                s["rate"] = s["ok"] / args.window
            accepted = load_stats.get("inbox", {}).get("ok", 0)
            rows.append({
                "load": load_stats, "posts": posts, "post_ms": post_ms, "posts_failed": failed,
                "backlog": left, "processed": max(0, accepted - (left - backlog)) / args.window, "pss": pss,
                "delivery": {"rate": (count - delivered) / args.window, "p50": d50, "p99": d99,
                             "pending": pending, "latencies": delays},
                "cpu_node": (cpu_after[0] - cpu_before[0]) / args.window * 100,
                "cpu_harness": (cpu_after[1] - cpu_before[1]) / args.window * 100,
                "gauge": machine_gauge(),
            })
            backlog, delivered, cpu_before = left, count, cpu_after
            print(line(k, windows, rows[-1]), flush=True)
        load.join(60)
    return rows


def summary(rows: list[dict], args) -> None:
    print(f"\nsummary: window 1 is the warm-up; window 2 (the first after it) against window {len(rows)} (the last), "
          f"{args.window:g} s each; flat = no growth beyond {LIMIT:g} %")
    gauge = [r["gauge"] for r in rows[1:]]
    print(f"  machine gauge (CPU ms of fixed work; not judged) first {gauge[0]:.0f}  last {gauge[-1]:.0f}  "
          f"range {min(gauge):.0f}–{max(gauge):.0f}: a change here is the machine's, not the node's")
    series = {"memory, PSS MB": [r["pss"] for r in rows[1:]],
              "deliveries p99 ms": [r["delivery"]["p99"] for r in rows[1:]]}
    for kind in rows[0]["load"]:
        series[f"{kind} p99 ms"] = [r["load"][kind]["p99"] for r in rows[1:]]
    flat = memory_flat = True
    for name, values in series.items():
        if values[0] is None or values[-1] is None or not values[0]:
            print(f"  {name:<20} no value to compare")
            continue
        growth = (values[-1] - values[0]) / values[0] * 100
        flat = flat and growth <= LIMIT
        if name.startswith("memory"):
            memory_flat = growth <= LIMIT
        print(f"  {name:<20} first {values[0]:8.1f}  last {values[-1]:8.1f}  max {max(v or 0 for v in values):8.1f}"
              f"  growth {growth:+6.1f} %  {'flat' if growth <= LIMIT else 'GREW'}")
    # A node that drops slots has capped latencies (LATE), and a growing backlog is latency the requests don't show:
    # either way the run was not a soak at the offered rates.
    kept_up = True
    for kind, offered in (("inbox", args.rate_inbox), ("timeline", args.rate_timeline), ("pages", args.rate_pages)):
        low = min((r["load"][kind]["rate"] for r in rows[1:] if kind in r["load"]), default=offered)
        if offered and low < 0.9 * offered:
            kept_up = False
            print(f"  not kept up: {kind} answered as little as {low:.0f}/s of {offered:g}/s offered in a window")
    if rows[-1]["backlog"] > 10 * args.rate_inbox:
        kept_up = False
        print(f"  not kept up: {rows[-1]['backlog']:,} inbox items wait at the end, over 10 s of POSTs")
    halves_flat = _halves(rows) and memory_flat  # the halves are printed either way
    not_kept = "" if kept_up else ", and the node did not keep up with the offered rates"
    verdict = "PASS" if flat and kept_up else "FAIL"
    print(f"{verdict}: memory and p99 latency {'flat' if flat else 'not flat'} within {LIMIT:g} % (last window against "
          f"the first){not_kept}")
    verdict = "PASS" if halves_flat and kept_up else "FAIL"
    print(f"{verdict}: memory (last window against the first) and p99 latency (the second half's requests against the "
          f"first half's) {'flat' if halves_flat else 'not flat'} within {LIMIT:g} %{not_kept}")


def _halves(rows: list[dict]) -> bool:
    """The p99 of every request of the second half of the windows after the warm-up against that of the first
    half: one window's p99 rests on its slowest 1 %, which a few seconds of a busy machine decide, and moved
    two- to fivefold between neighbouring windows of an unchanged node. A trend shows in both halves' pools."""
    measured = rows[1:]
    middle = len(measured) // 2
    if middle == 0:
        print("  halves: too few windows to compare")
        return True
    print(f"  by halves: windows 2–{middle + 1} pooled against windows {middle + 2}–{len(rows)}")
    series = {"deliveries p99 ms": [r["delivery"].get("latencies") or [] for r in measured]}
    for kind in rows[0]["load"]:
        series[f"{kind} p99 ms"] = [r["load"][kind].get("latencies") or [] for r in measured]
    flat = True
    for name, windows in series.items():
        first = sorted(x for window in windows[:middle] for x in window)
        second = sorted(x for window in windows[middle:] for x in window)
        before, after = pct(first, 0.99), pct(second, 0.99)
        if not before or after is None:
            print(f"  {name:<20} no value to compare")
            continue
        growth = (after - before) / before * 100
        flat = flat and growth <= LIMIT
        print(f"  {name:<20} first half {before:8.1f}  second half {after:8.1f}  growth {growth:+6.1f} %  "
              f"{'flat' if growth <= LIMIT else 'GREW'}")
    return flat


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--window", type=float, default=60, help="seconds per printed line")
    parser.add_argument("--rate-inbox", type=float, default=800, help="signed inbox POSTs/s")
    parser.add_argument("--rate-timeline", type=float, default=300, help="home timeline GETs/s")
    parser.add_argument("--rate-pages", type=float, default=1500, help="website page GETs/s")
    parser.add_argument("--posts-per-minute", type=float, default=26, help="local posts, each to 1,000 inboxes")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="PostgreSQL: analyse as autovacuum would, but vacuum nothing (as the soaks before it)")
    args = parser.parse_args()
    windows = round(args.minutes * 60 / args.window)
    if windows < 3:
        parser.error("--minutes must hold at least 3 windows: the warm-up, the first and the last (--window)")
    print(f"`python -m bench.soak {' '.join(sys.argv[1:])}`: {args.backend}, {os.cpu_count()} cores, "
          f"{windows} windows of {args.window:g} s; offered: inbox {args.rate_inbox:g}/s, timeline "
          f"{args.rate_timeline:g}/s, pages {args.rate_pages:g}/s, {args.posts_per_minute:g} posts/min "
          f"x {INBOXES:,} inboxes", flush=True)
    try:
        with backend(args.backend):
            node = Node("soak", env=NODE_ENV)
        rows = soak(node, args, windows)
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    summary(rows, args)


if __name__ == "__main__":
    main()
