"""Two real nodes: staff on A suspend an organisation followed from B; B gets the Delete and drops it; the undo makes
A serve it again, B fetches it anew on the Update, and B can follow it again."""

import requests

from tests.nodes import wait_until

STATE_AT_B = (
    "from actors.models import Actor, Follow\nfrom posts.models import Post\n"
    "a = Actor.objects.get(uri={alpha!r})\n"
    "print(json.dumps({{'deleted': a.deleted, 'posts': Post.objects.filter(author=a).count(),"
    " 'followed': Follow.objects.filter(follower__username='beta', target=a, state='accepted').exists()}}))"
)


def test_suspend_sends_delete_and_undo_lets_peers_follow_again(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "alpha", "--email", "alpha@example.org", "--password", "alpha-pass-1")
    node_b.cli("createorg", "beta", "--email", "beta@example.org", "--password", "beta-pass-1")
    alpha = node_a.actor_url("alpha")
    webfinger = f"{node_a.base}/.well-known/webfinger?resource=acct:alpha@{node_a.domain}"

    def state_at_b() -> dict:
        return node_b.query(STATE_AT_B.format(alpha=alpha))

    node_b.cli("follow", "beta", f"@alpha@{node_a.domain}")
    wait_until(lambda: state_at_b()["followed"], message="A's Accept at B")
    post_uri = node_a.cli("post", "alpha", "Bald gesperrt")
    wait_until(lambda: state_at_b()["posts"] == 1, message="A's post at B")

    assert node_a.cli("suspend", "alpha") == f"alpha@{node_a.domain} suspended"
    assert requests.get(webfinger, timeout=10).status_code == 404
    assert node_a.get_json(alpha)["suspended"] is True
    assert requests.get(post_uri, headers={"Accept": "application/activity+json"}, timeout=10).status_code == 404
    wait_until(
        lambda: state_at_b() == {"deleted": True, "posts": 0, "followed": False}, message="the Delete at B"
    )

    assert node_a.cli("suspend", "alpha", "--undo") == f"alpha@{node_a.domain} unsuspended"
    assert requests.get(webfinger, timeout=10).status_code == 200
    assert "suspended" not in node_a.get_json(alpha)
    assert node_a.get_json(post_uri)["id"] == post_uri  # its data was kept
    # A's followers list still names beta, so B gets the Update and fetches alpha anew.
    wait_until(lambda: not state_at_b()["deleted"], message="the Update at B")
    node_b.cli("follow", "beta", f"@alpha@{node_a.domain}")
    wait_until(lambda: state_at_b()["followed"], message="A accepts B's new follow")
    second = node_a.cli("post", "alpha", "Wieder da")
    wait_until(
        lambda: second in node_b.query(
            f"from posts.models import Post\nprint(json.dumps(list(Post.objects.filter(author__uri={alpha!r})"
            ".values_list('uri', flat=True))))"
        ),
        message="A's new post at B",
    )
