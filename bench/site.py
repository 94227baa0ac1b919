"""Website speed: `python -m bench.site [--backend embedded|postgres|both] [--profile]`.

Starts `fediverse-node run` on loopback with 500 member organisations (profiles in all federal states, fields of
work) and 50,000 public posts, with the page cache off (FEDINODE_PAGE_CACHE_SECONDS=0: every request is rendered,
as for a signed-in member), then prints requests/s, p50 and p99 of the community feed, the directory and a
profile page under concurrent keep-alive clients, on the embedded default and/or PostgreSQL + Redis.
`--profile` first prints, per page, the number of SQL queries and a pyinstrument profile of 20 renders in the
node's own Django. Target (issue #15): >= 300 requests/s, p99 < 150 ms, each page.
"""

import argparse
import json
import os
import subprocess
import time

from tests.nodes import BIN, Node

from .api import measure

SEED = """
import random, time
from django.utils import timezone
from actors.models import Actor
from community.models import FederalState, FieldOfWork, MemberProfile
from posts.ids import next_id
from posts.models import Post, Tag
from django.conf import settings
rng = random.Random(1)
states = FederalState.values
fields = list(FieldOfWork.objects.all())
base = settings.FEDINODE_BASE_URL
actors = Actor.objects.bulk_create([
    Actor(uri=f'{{base}}/actors/org{{i}}', username=f'org{{i}}', domain=settings.FEDINODE_DOMAIN, local=True,
          type='Organization', display_name=f'Verein {{i}} e.V.', inbox_url=f'{{base}}/actors/org{{i}}/inbox',
          url=f'{{base}}/actors/org{{i}}')
    for i in range({orgs})])
actors = list(Actor.objects.filter(username__startswith='org', local=True).order_by('id'))
profiles = MemberProfile.objects.bulk_create([
    MemberProfile(actor=a, city=f'Stadt {{i % 50}}', postal_code=f'{{10000 + i:05d}}', state=states[i % 16],
                  description=f'Wir helfen Menschen in Stadt {{i % 50}}.', search_text=f'verein {{i}} e.v. stadt {{i % 50}}')
    for i, a in enumerate(actors)])
Through = MemberProfile.fields_of_work.through
Through.objects.bulk_create([Through(memberprofile_id=p.id, fieldofwork_id=fields[i % len(fields)].id)
                             for i, p in enumerate(MemberProfile.objects.order_by('id'))])
tag = Tag.objects.create(name='gleichimnetz')
start = time.time() - {posts}
rows = []
for i in range({posts}):
    author = actors[i % len(actors)]
    pid = next_id(start + i)
    uri = f'{{author.uri}}/posts/{{pid}}'
    rows.append(Post(id=pid, uri=uri, url=uri, author=author, local=True, visibility='public', source='x',
                     content=f'<p>Beitrag {{i}} aus der Praxis #GleichImNetz</p>', published=timezone.now()))
Post.objects.bulk_create(rows, batch_size=2000)
Post.tags.through.objects.bulk_create([Post.tags.through(post_id=p.id, tag_id=tag.id) for p in rows[::5]],
                                      batch_size=2000)
# planner statistics as a database in service has them: PostgreSQL's autovacuum keeps them fresh (without them it
# joins all 50,000 posts before it sorts: 600 ms per feed page instead of 0.2 ms); on SQLite nothing runs ANALYZE
from django.db import connection
if connection.vendor == 'postgresql':
    connection.cursor().execute('ANALYZE')
print(json.dumps(Post.objects.count()))
"""


PROFILE = """
from django.conf import settings
from django.db import connection
from django.test import Client
from pyinstrument import Profiler
client = Client(HTTP_HOST=settings.FEDINODE_DOMAIN)
queries = []
def record(execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)
for path in {paths!r}:
    client.get(path)
    queries.clear()
    with connection.execute_wrapper(record):
        status = client.get(path).status_code
    if {show_sql!r}:
        print("\\n".join(queries))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(20):
        client.get(path)
    profiler.stop()
    print(f"== {{path}}: HTTP {{status}}, {{len(queries)}} SQL queries")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
print(json.dumps(0))
"""
PATHS = ["/feed/", "/", "/members/", "/members/org7/", "/members/?field=gesundheit&state=BY"]


def shell(node: Node, code: str) -> str:
    """Run Python in the node's Django; seeding 50,000 posts outlasts tests/nodes.py's command wait on a busy machine."""
    result = subprocess.run([str(BIN / "fediverse-node"), "shell", "-c", "import json\n" + code], env=node.env,
                            capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result.stdout


def bench_backend(backend: str, args) -> list[dict]:
    """Seed, optionally profile, start and measure one node on one back-end; returns the measurements."""
    saved = os.environ.get("FEDINODE_TEST_BACKEND")
    os.environ["FEDINODE_TEST_BACKEND"] = backend  # tests/nodes.py reads it when a Node is made
    env = {"FEDINODE_RATE_LIMITS": "0", "LOG_LEVEL": "WARNING"}
    if not args.page_cache:
        env["FEDINODE_PAGE_CACHE_SECONDS"] = "0"
    node = Node(f"bench-site-{backend}", env=env)
    if saved is None:
        os.environ.pop("FEDINODE_TEST_BACKEND")
    else:
        os.environ["FEDINODE_TEST_BACKEND"] = saved
    results = []
    try:
        node.cli("migrate", "--verbosity", "0")
        count = json.loads(shell(node, SEED.format(orgs=args.orgs, posts=args.posts)).splitlines()[-1])
        assert count == args.posts, count
        if args.profile:
            print(shell(node, PROFILE.format(paths=args.paths, show_sql=False)), flush=True)
        node.start()
        time.sleep(args.settle)
        for path in args.paths:
            options = {"concurrency": args.concurrency, "processes": args.processes}
            measure(node, path, "", seconds=args.warmup, **options)
            result = {"backend": backend, **measure(node, path, "", seconds=args.seconds, **options)}
            print(json.dumps(result), flush=True)
            results.append(result)
    finally:
        node.stop()
        node.cleanup()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "postgres", "both"], default="both")
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2, help="seconds of requests to a page before it is measured")
    parser.add_argument("--settle", type=float, default=0,
                        help="seconds to wait after the start, while the worker's first sweeps over the seed run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="client processes generating the load")
    parser.add_argument("--page-cache", action="store_true", help="measure with the anonymous page cache on (15 s)")
    parser.add_argument("--profile", action="store_true", help="print query counts and pyinstrument profiles first")
    parser.add_argument("--paths", nargs="+", default=PATHS)
    args = parser.parse_args()
    backends = ["embedded", "postgres"] if args.backend == "both" else [args.backend]
    results = [r for backend in backends for r in bench_backend(backend, args)]
    print(f"{'back-end':10} {'page':40} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  errors")
    for r in results:
        print(f"{r['backend']:10} {r['path']:40} {r['requests/s']:7} {r['p50 ms']:7} {r['p99 ms']:7}  {r['errors'] or ''}")


if __name__ == "__main__":
    main()
