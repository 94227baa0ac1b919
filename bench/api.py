"""Client API speed on the embedded default: `python -m bench.api`.

Starts `fediverse-node run` on loopback, fills it with 10,000 posts by 50 followed organisations, logs in through
OAuth (password grant) and prints requests/s, p50 and p99 latency of `GET /api/v1/timelines/home` and
`GET /api/v1/accounts/verify_credentials` under concurrent keep-alive clients, and the web processes' CPU per request.
"""

import argparse
import http.client
import json
import multiprocessing
import random
import threading
import time

from bench.procs import cpu_snapshot, cpu_spent
from tests.api_session import log_in
from tests.nodes import Node

PASSWORD = "bench-pass-123"


def seed(node: Node, posts: int, authors: int) -> None:
    """Organisations, follows, posts and the reader's feed written straight to the database, as publishing
    them would (publishing is not what is measured here)."""
    node.cli("migrate", "--verbosity", "0")
    node.cli("createorg", "leser", "--email", "leser@example.org", "--password", PASSWORD)
    code = f"""
import random
from django.utils import timezone
from actors.models import Actor, Follow
from actors.services.local import actor_create_local
from posts.ids import next_id
from posts.models import FeedEntry, Like, Post, Tag
reader = Actor.objects.get(username='leser')
authors = [actor_create_local(username=f'org{{i}}') for i in range({authors})]
Follow.objects.bulk_create([Follow(follower=reader, target=a, uri=f'{{reader.uri}}#f{{a.id}}', state='accepted')
                            for a in authors])
tags = [Tag.objects.create(name=f'thema{{i}}') for i in range(20)]
now = time.time() - {posts}
rows = []
for i in range({posts}):
    author = authors[i % len(authors)]
    pid = next_id(now + i)
    uri = f'{{author.uri}}/posts/{{pid}}'
    rows.append(Post(id=pid, uri=uri, url=uri, author=author, local=True, content=f'<p>Beitrag {{i}} aus der Praxis</p>',
                     source=f'Beitrag {{i}}', published=timezone.now(), visibility='public'))
Post.objects.bulk_create(rows, batch_size=1000)
Through = Post.tags.through
Through.objects.bulk_create([Through(post_id=p.id, tag_id=tags[i % 20].id) for i, p in enumerate(rows)], batch_size=1000)
FeedEntry.objects.bulk_create([FeedEntry(owner=reader, post_id=p.id, author_id=p.author_id) for p in rows],
                              batch_size=1000)
Like.objects.bulk_create([Like(actor=reader, post_id=p.id, uri=f'{{reader.uri}}#l{{p.id}}') for p in rows[::3]],
                         batch_size=1000)
# planner statistics as a database in service has them: PostgreSQL's autovacuum analyses a table soon after a
# tenth of it changed (here it would not have run before the measurement ends); on SQLite nothing runs ANALYZE
from django.db import connection
if connection.vendor == 'postgresql':
    connection.cursor().execute('ANALYZE')
print(json.dumps(Post.objects.count()))
"""
    count = node.query("import time\n" + code)
    assert count == posts, count


def measure(node: Node, path: str | list[str], token: str, *, seconds: float, concurrency: int,
            processes: int = 1) -> dict:
    """Keep `concurrency` connections busy for `seconds` from `processes` client processes (one Python process
    cannot drive more than a few hundred requests/s itself); latency of every request is recorded. Given several
    paths, each request asks one of them at random."""
    paths = [path] if isinstance(path, str) else list(path)
    label = paths[0] if len(paths) == 1 else f"{paths[0]} ({len(paths)} pages at random)"
    if processes > 1:
        with multiprocessing.Pool(processes) as pool:
            parts = pool.starmap(
                _measure_part, [(node.host, node.port, paths, token, seconds, concurrency // processes)] * processes
            )
        return _summary(label, [x for latencies, _, _ in parts for x in latencies], max(p[1] for p in parts),
                        {k: v for _, _, errors in parts for k, v in errors.items()})
    latencies, elapsed, errors = _measure_part(node.host, node.port, paths, token, seconds, concurrency)
    return _summary(label, latencies, elapsed, errors)


def _measure_part(host: str, port: int, paths: list[str], token: str, seconds: float, concurrency: int):
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"} if token else {"Accept": "text/html"}

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        pick = random.Random().choice
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request("GET", pick(paths), headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors[response.status] = errors.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - began, errors


def pages(session, path: str, count: int) -> list[str]:
    """The path of the first `count` pages of a list (the first, then max_id of each page's last status)."""
    found = [path]
    while len(found) < count:
        page = session.ok("GET", found[-1])
        if not page:
            break
        found.append(f"{path}{'&' if '?' in path else '?'}max_id={page[-1]['id']}")
    return found[:count]


def web_cpu_seconds(spent: dict[str, float]) -> float:
    """CPU seconds the node's web processes spent, of bench.procs.cpu_spent()'s roles."""
    return spent.get("web", 0.0) + spent.get("web worker", 0.0)


def _summary(path: str, latencies: list[float], elapsed: float, errors: dict) -> dict:
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1)

    return {
        "path": path, "requests": len(latencies), "requests/s": round(len(latencies) / elapsed),
        "p50 ms": pct(0.50), "p99 ms": pct(0.99), "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--paths", nargs="+", default=["/api/v1/timelines/home", "/api/v1/accounts/verify_credentials"],
        help="GET routes to measure (e.g. /api/v1/custom_emojis for the cost of an empty answer)",
    )
    parser.add_argument("--processes", type=int, default=2, help="client processes generating the load")
    parser.add_argument(
        "--pages", type=int, default=1,
        help="ask the first N pages of each path at random (max_id): a reader scrolling, not one page reloaded",
    )
    parser.add_argument("--web-workers", type=int, default=None, help="FEDINODE_WEB_WORKERS of the node")
    args = parser.parse_args()
    env = {"FEDINODE_RATE_LIMITS": "0", **({"FEDINODE_WEB_WORKERS": str(args.web_workers)} if args.web_workers else {})}
    node = Node("bench-api", env=env)
    try:
        seed(node, args.posts, args.authors)
        node.start()
        session = log_in(node.base, username="leser", password=PASSWORD)
        token = session.headers["Authorization"].split()[1]
        page = session.ok("GET", "/api/v1/timelines/home")
        assert len(page) == 20, len(page)
        for path in args.paths:
            options = {"concurrency": args.concurrency, "processes": args.processes}
            paths = pages(session, path, args.pages)
            measure(node, paths, token, seconds=2, **options)  # warm-up
            cpu_before = cpu_snapshot(node.process.pid)
            result = measure(node, paths, token, seconds=args.seconds, **options)
            # less noisy than requests/s on a machine the load generator shares
            spent = cpu_spent(cpu_before, cpu_snapshot(node.process.pid))
            result["web cpu ms/request"] = round(web_cpu_seconds(spent) * 1000 / result["requests"], 2)
            if "postgres" in spent:
                result["postgres cpu ms/request"] = round(spent["postgres"] * 1000 / result["requests"], 2)
            print(json.dumps(result))
    finally:
        node.stop()
        node.cleanup()


if __name__ == "__main__":
    main()
