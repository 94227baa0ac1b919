"""Fediverse groups (FEP-1b12) across two real nodes: members on both join by following; a post that mentions the
group reaches every member as the group's Announce; a member who leaves (Undo Follow) receives nothing after."""

from tests.nodes import wait_until

BOOSTS_BY = (
    "from posts.models import Post\n"
    "print(json.dumps(sorted(p.boost_of.uri for p in Post.objects.filter(author__uri={group!r}, boost_of__isnull=False))))"
)


def test_group_shares_members_posts_with_all_members(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    group = node_a.cli("creategroup", "scouts_ki", "--display-name", "Online-Scouts: KI im Alltag")
    assert node_a.get_json(group)["type"] == "Group"
    node_a.cli("createorg", "scout_a", "--email", "a@example.org", "--password", "scout-a-pass")
    node_b.cli("createorg", "scout_b", "--email", "b@example.org", "--password", "scout-b-pass")
    node_b.cli("createorg", "leaver", "--email", "l@example.org", "--password", "leaver-pass-1")
    for node, name in ((node_a, "scout_a"), (node_b, "scout_b"), (node_b, "leaver")):
        node.cli("follow", name, f"@scouts_ki@{node_a.domain}")
    wait_until(lambda: len(node_a.get_json(f"{group}/followers?page=1")["orderedItems"]) == 3, message="3 members")

    # A member on B posts to the group by mentioning it; members on A and B get the group's Announce.
    post_b = node_b.cli("post", "scout_b", f"Webinar am Dienstag: KI im Beratungsalltag @scouts_ki@{node_a.domain}")
    wait_until(lambda: node_a.query(BOOSTS_BY.format(group=group)) == [post_b], message="A's group announced it")
    wait_until(lambda: node_b.query(BOOSTS_BY.format(group=group)) == [post_b], message="the Announce at B")
    home_a = node_a.query(
        "from posts.models import FeedEntry\n"
        "print(json.dumps(list(FeedEntry.objects.filter(owner__username='scout_a').values_list('post__boost_of__uri', flat=True))))"
    )
    assert post_b in home_a  # a member on the group's own node has it in its home feed

    # A non-member's mention is not shared.
    node_b.cli("createorg", "fremd", "--email", "f@example.org", "--password", "fremd-pass-1")
    stranger = node_b.cli("post", "fremd", f"Werbung @scouts_ki@{node_a.domain}")
    wait_until(lambda: node_a.query(
        "from posts.models import Post\n"
        f"print(json.dumps(Post.objects.filter(uri={stranger!r}).exists()))"), message="the stranger's post at A")

    # `leaver` leaves (Undo Follow); the next group post reaches B only once, for scout_b.
    node_b.query(
        "from actors.models import Actor\nfrom actors.services.follow import follow_undo\n"
        "follow_undo(follower=Actor.objects.get(username='leaver', local=True),"
        " target=Actor.objects.get(username='scouts_ki'))\nprint(json.dumps(1))"
    )
    wait_until(lambda: len(node_a.get_json(f"{group}/followers?page=1")["orderedItems"]) == 2, message="left")
    post_a = node_a.cli("post", "scout_a", f"Protokoll vom Treffen @scouts_ki@{node_a.domain}")
    wait_until(lambda: post_a in node_b.query(BOOSTS_BY.format(group=group)), message="the second Announce at B")
    assert node_a.query(BOOSTS_BY.format(group=group)) == sorted([post_a, post_b])  # not the stranger's
    feeds = node_b.query(
        "from posts.models import FeedEntry\n"
        "print(json.dumps({n: list(FeedEntry.objects.filter(owner__username=n, owner__local=True)"
        ".values_list('post__boost_of__uri', flat=True)) for n in ('scout_b', 'leaver')}))"
    )
    assert post_a in feeds["scout_b"] and post_a not in feeds["leaver"]


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
