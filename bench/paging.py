"""Website lists paged down: `python -m bench.paging [--backend embedded|postgres|both] [--posts 5000 50000]`.

Seeds a node's database (not started) with 100 member organisations and N public posts a minute apart, a tenth of
them arriving late under an older date (as a member's website feed read for the first time brings them), then, in
the node's own Django, reads the community feed's and a member page's card rows at several depths as the pages'
"older" links ask for them: milliseconds per page (median of 30 after 6 warm-up calls, so that PostgreSQL has
prepared and settled its plan). Planner statistics: PostgreSQL's are fresh (autovacuum's ANALYZE); SQLite's are
absent, as on a node in service (nothing runs ANALYZE there).
"""

import argparse
import json
import os

from tests.nodes import Node

from .site import shell

SEED = """
import datetime, random, time
from django.conf import settings
from django.db import connection
from django.utils import timezone
from actors.models import Actor
from community.models import MemberProfile
from posts.ids import next_id
from posts.models import Post
rng = random.Random(1)
base = settings.FEDINODE_BASE_URL
Actor.objects.bulk_create([
    Actor(uri=f'{{base}}/actors/org{{i}}', username=f'org{{i}}', domain=settings.FEDINODE_DOMAIN, local=True,
          type='Organization', display_name=f'Verein {{i}}', inbox_url=f'{{base}}/actors/org{{i}}/inbox',
          url=f'{{base}}/actors/org{{i}}') for i in range(100)])
actors = list(Actor.objects.filter(username__startswith='org', local=True).order_by('id'))
MemberProfile.objects.bulk_create([MemberProfile(actor=a, city='Berlin', postal_code='10115', state='BE')
                                   for a in actors])
now, arrived = timezone.now(), time.time() - {posts} * 60
rows = []
for i in range({posts}):
    late = rng.random() < 0.1
    published = now - datetime.timedelta(minutes={posts} - i + (rng.randint(60, 60 * 24 * 30) if late else 0))
    pid = next_id(arrived + i * 60)
    author = actors[i % len(actors)]
    rows.append(Post(id=pid, uri=f'{{author.uri}}/posts/{{pid}}', url='', author=author, local=True,
                     visibility='public', source='x', content=f'<p>Beitrag {{i}}</p>', published=published))
Post.objects.bulk_create(rows, batch_size=2000)
if connection.vendor == 'postgresql':
    connection.cursor().execute('ANALYZE')
print(json.dumps(Post.objects.count()))
"""

MEASURE = """
import statistics, time
from actors.models import Actor
from community.selectors import feed_card_rows, member_card_rows
from posts.models import Post
feed = list(Post.objects.order_by('-published', '-id').values_list('id', flat=True))
author = Actor.objects.get(username='org7', local=True)
own = list(Post.objects.filter(author=author).order_by('-published', '-id').values_list('id', flat=True))
def per_call(read):
    for _ in range(6):
        read()
    times = []
    for _ in range(30):
        start = time.perf_counter()
        read()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)
out = {{}}
for depth in {depths}:
    depth = min(depth, len(feed) - 22)
    before = feed[depth - 1] if depth else None
    out[f'feed {{depth}}'] = per_call(lambda: feed_card_rows(before=before, limit=21))
for depth in (0, len(own) // 2):
    before = own[depth - 1] if depth else None
    out[f'member {{depth}}'] = per_call(lambda: member_card_rows(author=author, before=before, limit=21))
print(json.dumps(out))
"""


def bench_backend(backend: str, posts: int, depths: list[int]) -> dict:
    saved = os.environ.get("FEDINODE_TEST_BACKEND")
    os.environ["FEDINODE_TEST_BACKEND"] = backend  # tests/nodes.py reads it when a Node is made
    node = Node(f"bench-paging-{backend}", env={"LOG_LEVEL": "WARNING"})
    if saved is None:
        os.environ.pop("FEDINODE_TEST_BACKEND")
    else:
        os.environ["FEDINODE_TEST_BACKEND"] = saved
    try:
        node.cli("migrate", "--verbosity", "0")
        assert json.loads(shell(node, SEED.format(posts=posts)).splitlines()[-1]) == posts
        return json.loads(shell(node, MEASURE.format(depths=depths)).splitlines()[-1])
    finally:
        node.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "postgres", "both"], default="both")
    parser.add_argument("--posts", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--depths", type=int, nargs="+", default=[0, 20, 1_000, 4_000, 45_000],
                        help="posts above the page (capped at the feed's length)")
    args = parser.parse_args()
    backends = ["embedded", "postgres"] if args.backend == "both" else [args.backend]
    print(f"{'back-end':10} {'posts':>7}  ms per page (median), by list and posts above the page")
    for backend in backends:
        for posts in args.posts:
            figures = bench_backend(backend, posts, args.depths)
            print(f"{backend:10} {posts:7}  " + "  ".join(f"{name}: {ms}" for name, ms in figures.items()), flush=True)


if __name__ == "__main__":
    main()
