"""Two real nodes on different loopback addresses: follow, accept, post, reply, delete."""

from tests.nodes import wait_until

POSTS_OF = (
    "from posts.models import Post\n"
    "print(json.dumps([p.uri for p in Post.objects.filter(author__uri={author!r})]))"
)


def test_follow_post_reply_delete(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "alpha", "--email", "alpha@example.org", "--password", "alpha-pass-1", "--city", "Berlin")
    node_b.cli("createorg", "beta", "--email", "beta@example.org", "--password", "beta-pass-1")
    alpha, beta = node_a.actor_url("alpha"), node_b.actor_url("beta")

    # B follows A by handle (WebFinger over loopback) and A accepts automatically.
    assert node_b.cli("follow", "beta", f"@alpha@{node_a.domain}").startswith(alpha)
    wait_until(
        lambda: beta in str(node_a.get_json(f"{alpha}/followers?page=1")["orderedItems"]),
        message="B in A's followers",
    )
    wait_until(
        lambda: alpha in node_b.get_json(f"{beta}/following?page=1")["orderedItems"], message="A's Accept at B"
    )

    # A posts; B stores it.
    post_uri = node_a.cli("post", "alpha", "Hallo aus Berlin! #GleichImNetz")
    wait_until(lambda: post_uri in node_b.query(POSTS_OF.format(author=alpha)), message="A's post at B")
    stored = node_b.query(
        "from posts.models import Post\n"
        f"p = Post.objects.get(uri={post_uri!r})\n"
        "print(json.dumps([p.content, [t.name for t in p.tags.all()], p.visibility]))"
    )
    assert "Hallo aus Berlin" in stored[0] and stored[1] == ["gleichimnetz"] and stored[2] == "public"

    # B replies; A shows the reply under the post and notifies alpha.
    reply_uri = node_b.query(
        "from posts.models import Post\nfrom actors.models import Actor\n"
        "from posts.services.publishing import post_create\n"
        f"parent = Post.objects.get(uri={post_uri!r})\n"
        "beta = Actor.objects.get(local=True, username='beta')\n"
        "r = post_create(author=beta, text='Toll! @alpha@" + node_a.domain + "', in_reply_to=parent)\n"
        "print(json.dumps(r.uri))"
    )
    wait_until(
        lambda: node_a.query(
            "from posts.models import Post\n"
            f"print(json.dumps(list(Post.objects.filter(uri={reply_uri!r}, in_reply_to__uri={post_uri!r}).values_list('uri', flat=True))))"
        ),
        message="B's reply at A",
    )
    notified = node_a.query(
        "from posts.models import Notification\n"
        "print(json.dumps(list(Notification.objects.filter(recipient__username='alpha', type='mention').values_list('post__uri', flat=True))))"
    )
    assert reply_uri in notified
    replies = node_a.get_json(f"{post_uri}/replies?page=1")["orderedItems"]
    assert reply_uri in replies

    # A deletes; B removes it.
    node_a.query(
        "from posts.models import Post\nfrom posts.services.publishing import post_delete\n"
        f"post_delete(post=Post.objects.get(uri={post_uri!r}))\nprint('null')"
    )
    wait_until(lambda: post_uri not in node_b.query(POSTS_OF.format(author=alpha)), message="delete at B")
