"""Likes, boosts and follows sent at once by another server, over real HTTP with real signatures: the node's workers
take them in batches (inbox/tasks.py AT_ONCE) and everything a one-by-one run does follows, down to the Accepts its
workers deliver to the follower's server."""

import json
import uuid

from bench.load import raw_request, send_requests
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage
from tests.interop.bovine_peer import BovinePeer
from tests.nodes import wait_until

POSTS = """
from actors.models import Actor
from posts.services.publishing import post_create
member = Actor.objects.get(local=True, username='praxis')
print(json.dumps([post_create(author=member, text=f'Aus der Praxis {n}').uri for n in range(4)]))
"""

LEFT = """
from inbox.models import InboxItem
print(json.dumps(InboxItem.objects.exclude(state__in=('processed', 'ignored', 'failed')).count()))
"""

STORED = """
from actors.models import Follow
from inbox.models import InboxItem
from posts.models import Like, Notification, Post
print(json.dumps({
    'states': sorted(InboxItem.objects.values_list('type', 'state').distinct()),
    'likes': Like.objects.filter(actor__uri=PEER, post__author__username='praxis').count(),
    'boosts': Post.objects.filter(author__uri=PEER, type='Announce', boost_of__author__username='praxis').count(),
    'follows': sorted(Follow.objects.filter(follower__uri=PEER, state='accepted').values_list('target__username', 'uri')),
    'notified': sorted(Notification.objects.filter(from_actor__uri=PEER).values_list('recipient__username', 'type')),
}))
"""


def test_likes_boosts_and_follows_sent_at_once_are_stored_and_answered(start_node):
    node = start_node("batches", env={"FEDINODE_RATE_LIMITS": "0"})
    for name in ("praxis", "kita", "beratung"):
        node.cli("createorg", name, "--email", f"{name}@example.org", "--password", f"{name}-pass-1")
    posts = node.query(POSTS)
    with BovinePeer("fan") as peer:
        activities = (
            [{"type": "Like", "object": uri} for uri in posts]
            + [{"type": "Announce", "object": uri, "to": ["https://www.w3.org/ns/activitystreams#Public"]}
               for uri in posts]
            + [{"type": "Follow", "object": node.actor_url(name)} for name in ("praxis", "kita", "beratung")]
        )
        for activity in activities:
            activity.update({"@context": "https://www.w3.org/ns/activitystreams", "actor": peer.actor_id,
                             "id": f"{peer.base}/{activity['type'].lower()}s/{uuid.uuid4()}"})
        key = load_private_key(peer.private_pem)
        requests = []
        for activity in activities:
            body = json.dumps(activity).encode()
            headers = sign_cavage(method="POST", url=f"{node.base}/inbox", body=body,
                                  key_id=f"{peer.actor_id}#main-key", private_key=key)
            headers["Content-Type"] = "application/activity+json"
            requests.append(raw_request("POST", node.domain, "/inbox", headers, body))
        # the peer's key is fetched once first, so the rest arrive together and are taken together
        assert send_requests(node.host, node.port, requests[:1], 1)[1] == {202: 1}
        assert send_requests(node.host, node.port, requests[1:], 10)[1] == {202: len(requests) - 1}

        wait_until(lambda: node.query(LEFT) == 0, timeout=60, message="the activities processed")
        stored = node.query(f"PEER = {peer.actor_id!r}\n{STORED}")
        assert stored["states"] == [["Announce", "processed"], ["Follow", "processed"], ["Like", "processed"]]
        assert (stored["likes"], stored["boosts"]) == (4, 4)
        follows = {activity["object"]: activity["id"] for activity in activities if activity["type"] == "Follow"}
        assert stored["follows"] == sorted([name, follows[node.actor_url(name)]] for name in ("praxis", "kita", "beratung"))
        assert stored["notified"] == sorted(
            [["praxis", "favourite"]] * 4 + [["praxis", "reblog"]] * 4
            + [[name, "follow"] for name in ("praxis", "kita", "beratung")]
        )

        def accepts() -> dict[str, str]:
            return {answer["object"]["id"]: answer["actor"] for answer in peer.received if answer.get("type") == "Accept"}

        wait_until(lambda: len(accepts()) == 3, timeout=60, message="the Accepts delivered to the follower's server")
        assert accepts() == {follows[url]: url for url in follows}
