"""Website speed on the embedded default: `python -m bench.site`.

Starts `fediverse-node run` on loopback with 500 member organisations (profiles in all federal states, fields of
work) and 50,000 public posts, then prints requests/s, p50 and p99 of the community feed, the directory and a
profile page under concurrent keep-alive clients. Target (issue #4): >= 300 requests/s, p99 < 150 ms, each page.
"""

import argparse
import json

from tests.nodes import Node

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
print(json.dumps(Post.objects.count()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="client processes generating the load")
    parser.add_argument("--no-page-cache", action="store_true", help="render every request (FEDINODE_PAGE_CACHE_SECONDS=0)")
    parser.add_argument("--paths", nargs="+", default=["/", "/members/", "/members/org7/", "/members/?field=gesundheit&state=BY"])
    args = parser.parse_args()
    node = Node("bench-site", env={"FEDINODE_RATE_LIMITS": "0", **({"FEDINODE_PAGE_CACHE_SECONDS": "0"} if args.no_page_cache else {})})
    try:
        node.cli("migrate", "--verbosity", "0")
        count = node.query(SEED.format(orgs=args.orgs, posts=args.posts))
        assert count == args.posts, count
        node.start()
        for path in args.paths:
            options = {"concurrency": args.concurrency, "processes": args.processes}
            measure(node, path, "", seconds=2, **options)  # warm-up
            print(json.dumps(measure(node, path, "", seconds=args.seconds, **options)), flush=True)
    finally:
        node.stop()
        node.cleanup()


if __name__ == "__main__":
    main()
