"""Inbox processing in one process, without HTTP: `python -m bench.processing [--items 1000] [--followers 20]
[--kind create|media|like|announce|follow|mix] [--batch N]`.

Stores N signed-and-accepted activities, then runs them through the handlers in batches as a worker gets them in a
burst (--batch, default the node's task size, inbox.services.TASK_BATCH), with what a worker loaded before its fork
frozen out of the collector's passes, and prints items/s and queries per item. It isolates the handler path (what `process_items` costs) from accepting,
queueing and the web server. The kinds: `create`, a remote Note with a hashtag from one followed peer; `media`, the
same with a picture attached; `like` and `announce`, of a local organisation's posts by 100 remote actors; `follow`,
of a local organisation by as many remote actors as items (each answered with an Accept, queued, never sent: no worker
runs here); `mix`, a fifth of each, interleaved. Uses a fresh data directory on the embedded default, or DATABASE_URL
when it is set.
"""

import argparse
import atexit
import itertools
import os
import shutil
import tempfile
import time
import uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--followers", type=int, default=20, help="local followers of the peer (home feed rows)")
    parser.add_argument("--batch", type=int, default=None, help="items per task (default: the node's, 200)")
    parser.add_argument("--kind", choices=KINDS, default="create", help="what the peer sends")
    args = parser.parse_args()
    if "FEDINODE_DATA_DIR" not in os.environ:
        os.environ["FEDINODE_DATA_DIR"] = data_dir = tempfile.mkdtemp(prefix="bench-processing-")
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
    os.environ["FEDINODE_INSECURE_HTTP"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    for database in settings.DATABASES:
        call_command("migrate", database=database, verbosity=0)
    from actors.services.local import organization_create
    from inbox.models import InboxItem
    from inbox.services import TASK_BATCH
    from inbox.tasks import items_run
    from operations.forking import shared_pages_freeze
    from tests.factories import accepted_follow, remote_actor

    batch = args.batch or TASK_BATCH
    run = uuid.uuid4().hex[:6]
    peer = remote_actor(host=f"peer-{run}.example")
    for number in range(args.followers):
        follower = organization_create(username=f"f{number}_{run}", email="f@example.org", password="bench-pass-123")
        accepted_follow(follower=follower, target=peer)
    kinds = KINDS[:-1] if args.kind == "mix" else (args.kind,)
    shares = [_activities(kind, peer, run, args.items // len(kinds)) for kind in kinds]
    activities = [activity for turn in itertools.zip_longest(*shares) for activity in turn if activity]
    ids = [
        InboxItem.objects.create(activity_id=activity["id"], actor_uri=activity["actor"], type=activity["type"],
                                 payload=activity).id
        for activity in activities
    ]
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # a worker runs with what it loaded before the fork frozen out of the collector's passes (operations/forking.py)
    shared_pages_freeze()
    # counted by a wrapper, not DEBUG's query log: on PostgreSQL that renders every statement (mogrify), a seventh
    # of the time measured
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for start in range(0, len(ids), batch):
            items_run(ids[start : start + batch])
    seconds = time.perf_counter() - started
    processed = InboxItem.objects.filter(id__in=ids, state="processed").count()
    print(f"{connection.vendor}, {args.kind}: {processed}/{len(ids)} processed in {seconds:.2f} s = {processed / seconds:.0f} items/s, "
          f"{queries / len(ids):.3f} queries per item, {args.followers} local followers, batches of {batch}")


KINDS = ("create", "media", "like", "announce", "follow", "mix")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
REACTORS = 100


def _activities(kind: str, peer, run: str, count: int) -> list[dict]:
    if kind in ("create", "media"):
        return _creates(peer, count, media=kind == "media")
    return _follows(run, count) if kind == "follow" else _reactions(kind, run, count)


def _creates(peer, count: int, *, media: bool) -> list[dict]:
    activities = []
    for _ in range(count):
        note = f"{peer.uri}/notes/{uuid.uuid4()}"
        obj = {"id": note, "type": "Note", "attributedTo": peer.uri, "content": "<p>Aus der Praxis #bench</p>",
               "to": [PUBLIC], "cc": [peer.followers_url], "tag": [{"type": "Hashtag", "name": "#bench"}]}
        if media:
            obj["attachment"] = [{"type": "Image", "mediaType": "image/png", "url": f"{note}/bild.png",
                                  "name": "Ein Bild aus der Praxis", "width": 800, "height": 600}]
        activities.append({"id": f"{note}/activity", "type": "Create", "actor": peer.uri, "to": [PUBLIC],
                           "object": obj})
    return activities


def _reactions(kind: str, run: str, count: int) -> list[dict]:
    """Likes or boosts of a local organisation's posts, by REACTORS remote actors (each reacts to a post once)."""
    from actors.services.local import organization_create
    from posts.services.publishing import post_create
    from tests.factories import remote_actor

    member = organization_create(username=f"praxis_{kind}_{run}", email="p@example.org", password="bench-pass-123")
    posts = [post_create(author=member, text=f"Beitrag {number}") for number in range(-(-count // REACTORS))]
    reactors = [remote_actor(host=f"r{number}-{run}.example") for number in range(REACTORS)]
    kind_name = "Like" if kind == "like" else "Announce"
    return [
        {"id": f"{actor.uri}/{kind}s/{uuid.uuid4()}", "type": kind_name, "actor": actor.uri, "object": post.uri,
         "to": [PUBLIC], "cc": [actor.followers_url]}
        for post in posts for actor in reactors
    ][:count]


def _follows(run: str, count: int) -> list[dict]:
    """Follows of a local organisation, each by a remote actor of its own."""
    from actors.models import Actor
    from actors.services.local import organization_create
    from tests.factories import remote_actor

    member = organization_create(username=f"praxis_follow_{run}", email="p@example.org", password="bench-pass-123")
    host = f"folgende-{run}.example"
    remote_actor(host=host)  # the factory's fields, for the rest made at once
    template = Actor.objects.filter(domain=host).values().get()
    fields = {k: v for k, v in template.items() if k not in ("id", "uri", "username", "url", "inbox_url")}
    followers = Actor.objects.bulk_create([
        Actor(**{**fields, "uri": f"https://{host}/users/f{n}", "username": f"f{n}", "url": f"https://{host}/users/f{n}",
                 "inbox_url": f"https://{host}/users/f{n}/inbox"})
        for n in range(count)
    ])
    return [{"id": f"{actor.uri}/follows/{uuid.uuid4()}", "type": "Follow", "actor": actor.uri, "object": member.uri}
            for actor in followers]


if __name__ == "__main__":
    main()
