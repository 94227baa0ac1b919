"""Fediverse groups (FEP-1b12) across two real nodes: members on both join by following; a post that mentions the
group reaches every member as the group's Announce; a member who leaves (Undo Follow) receives nothing after."""

from tests.interop.fedify_peer import FedifyPeer
from tests.nodes import free_loopback_address, wait_until

BOOSTS_BY = (
    "from posts.models import Post\n"
    "print(json.dumps(sorted(p.boost_of.uri for p in Post.objects.filter(author__uri={group!r}, boost_of__isnull=False))))"
)


def test_group_shares_members_posts_with_all_members(start_node, fedify_available):
    """A scout on A writes to a scout group on B; members on A, on B and on an independent Fedify server all get the
    group's Announce; a non-member's mention is not shared; a member who left gets nothing after."""
    node_a, node_b = start_node("a"), start_node("b")
    group = node_b.cli("creategroup", "scouts_ki", "--display-name", "Online-Scouts: KI im Alltag", "--topic", "ki",
                       "--meets", "Dienstag 10:00")
    assert node_b.get_json(group)["type"] == "Group"
    node_a.cli("createorg", "traeger_a", "--email", "t@example.org", "--password", "traeger-a-pass")
    node_a.cli("createscout", "scout_a", "--org", "traeger_a", "--email", "a@example.org", "--password", "scout-a-pass",
               "--topics", "ki")
    assert node_a.get_json(node_a.actor_url("scout_a"))["type"] == "Person"
    node_a.cli("createorg", "member_a", "--email", "m@example.org", "--password", "member-a-pass")
    node_b.cli("createorg", "scout_b", "--email", "b@example.org", "--password", "scout-b-pass")
    node_b.cli("createorg", "leaver", "--email", "l@example.org", "--password", "leaver-pass-1")
    for node, name in ((node_a, "scout_a"), (node_a, "member_a"), (node_b, "scout_b"), (node_b, "leaver")):
        node.cli("follow", name, group)
    host, port = free_loopback_address()
    with FedifyPeer(host, port, name="fedi") as peer:
        peer.follow(group)
        wait_until(lambda: len(node_b.get_json(f"{group}/followers?page=1")["orderedItems"]) == 5, message="5 members")

        # The scout on A mentions the group on B: B's group announces it to members on A, B and Fedify.
        post_a = node_a.cli("post", "scout_a", f"Webinar am Dienstag: KI im Beratungsalltag @scouts_ki@{node_b.domain}")
        wait_until(lambda: node_b.query(BOOSTS_BY.format(group=group)) == [post_a], message="B's group announced it")
        wait_until(lambda: node_a.query(BOOSTS_BY.format(group=group)) == [post_a], message="the Announce at A")
        announce = peer.wait_for(lambda a: a["type"] == "Announce" and _object_id(a["activity"]) == post_a)
        assert announce["activity"]["actor"] == group
        home_a = node_a.query(
            "from posts.models import FeedEntry\n"
            "print(json.dumps(list(FeedEntry.objects.filter(owner__username='member_a')"
            ".values_list('post__boost_of__uri', flat=True))))"
        )
        assert post_a in home_a  # a member on another node has the group's share in its home feed

        # A non-member's mention is not shared.
        node_a.cli("createorg", "fremd", "--email", "f@example.org", "--password", "fremd-pass-1")
        stranger = node_a.cli("post", "fremd", f"Werbung @scouts_ki@{node_b.domain}")
        wait_until(lambda: node_b.query(
            "from posts.models import Post\n"
            f"print(json.dumps(Post.objects.filter(uri={stranger!r}).exists()))"), message="the stranger's post at B")

        # `leaver` leaves (Undo Follow); the next group post reaches its node only for scout_b.
        node_b.query(
            "from actors.models import Actor\nfrom actors.services.follow import follow_undo\n"
            "follow_undo(follower=Actor.objects.get(username='leaver', local=True),"
            " target=Actor.objects.get(username='scouts_ki'))\nprint(json.dumps(1))"
        )
        wait_until(lambda: len(node_b.get_json(f"{group}/followers?page=1")["orderedItems"]) == 4, message="left")
        post_b = node_b.cli("post", "scout_b", f"Protokoll vom Treffen @scouts_ki@{node_b.domain}")
        wait_until(lambda: post_b in node_a.query(BOOSTS_BY.format(group=group)), message="the second Announce at A")
        peer.wait_for(lambda a: a["type"] == "Announce" and _object_id(a["activity"]) == post_b)
        assert node_b.query(BOOSTS_BY.format(group=group)) == sorted([post_a, post_b])  # not the stranger's
        feeds = node_b.query(
            "from posts.models import FeedEntry\n"
            "print(json.dumps({n: list(FeedEntry.objects.filter(owner__username=n, owner__local=True)"
            ".values_list('post__boost_of__uri', flat=True)) for n in ('scout_b', 'leaver')}))"
        )
        assert post_b in feeds["scout_b"] and post_b not in feeds["leaver"]
        assert not any(_object_id(a["activity"]) == stranger for a in peer.received())


def _object_id(activity: dict):
    obj = activity.get("object")
    return obj.get("id") if isinstance(obj, dict) else obj


def test_group_pages_on_the_website(start_node):
    import requests

    node = start_node("site")
    node.cli("creategroup", "scouts_daten", "--display-name", "Online-Scouts: Datenschutz", "--summary", "Wir <b>helfen</b>")
    node.cli("createorg", "mitglied", "--email", "m@example.org", "--password", "mitglied-pass-1")
    node.cli("follow", "mitglied", node.actor_url("scouts_daten"))
    wait_until(lambda: node.actor_url("mitglied") in node.get_json(
        f"{node.actor_url('scouts_daten')}/followers?page=1")["orderedItems"], message="member")
    node.cli("post", "mitglied", f"Checkliste DSGVO für Vereine @scouts_daten@{node.domain}")
    listing = requests.get(f"{node.base}/groups/", timeout=10).text
    assert "Online-Scouts: Datenschutz" in listing and "&lt;b&gt;helfen&lt;/b&gt;" in listing
    tries = iter(range(1000))  # a new query each time: anonymous pages are cached for a few seconds
    page = wait_until(lambda: (lambda t: "Checkliste DSGVO" in t and t)(
        requests.get(f"{node.base}/groups/scouts_daten/?try={next(tries)}", timeout=10).text), message="the shared post")
    assert "@mitglied@" in page and "Mitglieder (1)" in page
    assert requests.get(f"{node.base}/groups/gibtsnicht/", timeout=10).status_code == 404
