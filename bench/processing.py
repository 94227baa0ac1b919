"""Inbox processing in one process, without HTTP: `python -m bench.processing [--items 1000] [--followers 20]`.

Stores N signed-and-accepted `Create`s of a remote Note (with a hashtag) from one followed peer, then runs them
through the handlers in batches of 100 as a worker does, and prints items/s and queries per item. It isolates the
handler path (what `process_items` costs) from accepting, queueing and the web server. Uses a fresh data directory
on the embedded default, or DATABASE_URL when it is set.
"""

import argparse
import os
import tempfile
import time
import uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--followers", type=int, default=20, help="local followers of the peer (home feed rows)")
    args = parser.parse_args()
    os.environ.setdefault("FEDINODE_DATA_DIR", tempfile.mkdtemp(prefix="bench-processing-"))
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
    from inbox.tasks import items_run
    from tests.factories import accepted_follow, remote_actor

    peer = remote_actor(host=f"peer-{uuid.uuid4().hex[:6]}.example")
    for number in range(args.followers):
        follower = organization_create(username=f"f{number}_{uuid.uuid4().hex[:6]}", email="f@example.org",
                                       password="bench-pass-123")
        accepted_follow(follower=follower, target=peer)
    public = "https://www.w3.org/ns/activitystreams#Public"
    ids = []
    for _ in range(args.items):
        note = f"{peer.uri}/notes/{uuid.uuid4()}"
        activity = {
            "id": f"{note}/activity", "type": "Create", "actor": peer.uri, "to": [public],
            "object": {"id": note, "type": "Note", "attributedTo": peer.uri, "content": "<p>Aus der Praxis #bench</p>",
                       "to": [public], "cc": [peer.followers_url], "tag": [{"type": "Hashtag", "name": "#bench"}]},
        }
        ids.append(InboxItem.objects.create(activity_id=activity["id"], actor_uri=peer.uri, type="Create",
                                            payload=activity).id)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # counted by a wrapper, not DEBUG's query log: on PostgreSQL that renders every statement (mogrify), a seventh
    # of the time measured
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for start in range(0, len(ids), 100):
            items_run(ids[start : start + 100])
    seconds = time.perf_counter() - started
    processed = InboxItem.objects.filter(id__in=ids, state="processed").count()
    print(f"{connection.vendor}: {processed}/{args.items} processed in {seconds:.2f} s = {processed / seconds:.0f} items/s, "
          f"{queries / args.items:.3f} queries per item, {args.followers} local followers")


if __name__ == "__main__":
    main()
