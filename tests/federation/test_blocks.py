"""A block holds across two real nodes: the blocked account follows again, is refused with a Reject (never
accepted) and receives no followers-only post; another account of the same node still does."""

import json

from tests.nodes import wait_until

FOLLOWS_AT = (
    "from actors.models import Follow\n"
    "print(json.dumps(list(Follow.objects.filter(follower__uri={follower!r}, target__uri={target!r})"
    ".values_list('state', flat=True))))"
)
HAS_POST = "from posts.models import Post\nprint(json.dumps(Post.objects.filter(uri={uri!r}).exists()))"


def _private_post(node, username: str, text: str) -> str:
    return node.query(
        "from actors.models import Actor\nfrom posts.services.publishing import post_create\n"
        f"author = Actor.objects.get(local=True, username={username!r})\n"
        f"print(json.dumps(post_create(author=author, text={text!r}, visibility='private').uri))"
    )


def test_a_blocked_account_that_follows_again_is_rejected_and_gets_no_followers_only_post(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    node_a.cli("createorg", "nachbar", "--email", "n@example.org", "--password", "nachbar-pass-1")
    node_b.cli("createorg", "fremd", "--email", "f@example.org", "--password", "fremd-pass-1")
    verein, nachbar, fremd = node_a.actor_url("verein"), node_a.actor_url("nachbar"), node_b.actor_url("fremd")

    for target in ("verein", "nachbar"):
        node_b.cli("follow", "fremd", f"@{target}@{node_a.domain}")
    for target in (verein, nachbar):
        wait_until(lambda t=target: node_b.query(FOLLOWS_AT.format(follower=fremd, target=t)) == ["accepted"],
                   message=f"fremd follows {target}")
    before = _private_post(node_a, "verein", "Vor der Sperre, nur für Follower")
    wait_until(lambda: node_b.query(HAS_POST.format(uri=before)), message="the followers-only post before the block")

    node_a.query(
        "from actors.models import Actor\nfrom actors.services.blocks import block_create\n"
        f"block_create(actor=Actor.objects.get(uri={verein!r}), target=Actor.objects.get(uri={fremd!r}))\n"
        "print(json.dumps(1))"
    )
    # fremd follows again: Undo and a new Follow, as a member of another server would after being blocked
    node_b.query(
        "from actors.models import Actor\nfrom actors.services.follow import follow_undo\n"
        f"follow_undo(follower=Actor.objects.get(uri={fremd!r}), target=Actor.objects.get(uri={verein!r}))\n"
        "print(json.dumps(1))"
    )
    assert node_b.cli("follow", "fremd", verein).endswith("pending")
    wait_until(lambda: node_b.query(FOLLOWS_AT.format(follower=fremd, target=verein)) == ["rejected"],
               message="A's Reject at B (the new follow refused, kept as rejected)")
    sent = node_a.query(
        "from outbox.models import OutgoingActivity\n"
        "print(json.dumps(list(OutgoingActivity.objects.filter(type__in=['Accept', 'Reject'])"
        ".order_by('id').values_list('type', flat=True))))"
    )
    assert sent[-1] == "Reject" and sent.count("Accept") == 2  # the two accepts before the block, none after
    assert node_a.query(FOLLOWS_AT.format(follower=fremd, target=verein)) == []
    assert fremd not in json.dumps(node_a.get_json(f"{verein}/followers?page=1"))

    after = _private_post(node_a, "verein", "Nach der Sperre, nur für Follower")
    assert node_a.query(
        "from outbox.models import Delivery\n"
        f"print(json.dumps(Delivery.objects.filter(activity__uri={after + '/activity'!r}).count()))"
    ) == 0
    sentinel = _private_post(node_a, "nachbar", "Der Nachbar schreibt danach")
    wait_until(lambda: node_b.query(HAS_POST.format(uri=sentinel)), message="a later post of another account at B")
    assert not node_b.query(HAS_POST.format(uri=after))
