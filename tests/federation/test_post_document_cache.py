"""Public posts as ActivityStreams from the post fast path (posts/fastpath.py) of a running node: the view's
document as cached bytes with an ETag, an edit and a deletion visible once the few seconds of caching have passed,
and everything it may not serve (followers-only posts, unknown ids, pages for browsers) handed to Django."""

import requests

from tests.federation.test_discovery_cache import security_headers_as_django_sends_them
from tests.nodes import wait_until

ACTIVITY = {"Accept": "application/activity+json"}


def test_a_public_post_is_served_from_cached_bytes_and_changes_after_its_seconds(start_node):
    node = start_node("postdocs", env={"FEDINODE_DOCUMENT_CACHE_SECONDS": "2"})
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    uri = node.cli("post", "verein", "Erste Fassung")
    hidden = node.query(
        "from actors.models import Actor\nfrom posts.services.publishing import post_create\n"
        "post = post_create(author=Actor.objects.get(username='verein'), text='Nur für Folgende', "
        "visibility='private')\nprint(json.dumps(post.uri))"
    )

    first = requests.get(uri, headers=ACTIVITY, timeout=10)
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/activity+json"
    assert first.json()["id"] == uri and "Erste Fassung" in first.json()["content"]
    assert first.json()["@context"]
    etag = first.headers["ETag"]
    assert all(requests.get(uri, headers=ACTIVITY, timeout=10).json() == first.json() for _ in range(6))
    again = requests.get(uri, headers={**ACTIVITY, "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and not again.content
    head = requests.head(uri, headers=ACTIVITY, timeout=10)
    assert head.status_code == 200 and not head.content and head.headers["ETag"] == etag
    security_headers_as_django_sends_them(node, first, again, head)

    # what the fast path may not serve goes to Django, every time
    for _ in range(3):
        assert requests.get(hidden, headers=ACTIVITY, timeout=10).status_code == 404
    assert requests.get(f"{uri}0", headers=ACTIVITY, timeout=10).status_code == 404
    assert requests.get(uri.replace("/verein/", "/niemand/"), headers=ACTIVITY, timeout=10).status_code == 404
    browser = requests.get(uri, headers={"Accept": "text/html"}, timeout=10, allow_redirects=False)
    assert browser.status_code in (200, 302) and "ETag" not in browser.headers
    assert requests.get(f"{uri}?x=1", headers=ACTIVITY, timeout=10).json()["id"] == uri

    node.query(
        "from posts.models import Post\nfrom posts.services.publishing import post_edit\n"
        f"post_edit(post=Post.objects.get(uri={uri!r}), text='Zweite Fassung')\nprint(json.dumps(1))"
    )

    def everywhere(check) -> bool:  # each web process keeps its own copy: ask several times
        return all(check(requests.get(uri, headers=ACTIVITY, timeout=10)) for _ in range(6))

    wait_until(lambda: everywhere(lambda a: a.status_code == 200 and "Zweite Fassung" in a.json()["content"]
                                  and a.headers["ETag"] != etag),
               timeout=10, message="the edited post, with a new ETag, after the cache's seconds")

    node.query(
        "from posts.models import Post\nfrom posts.services.publishing import post_delete\n"
        f"post_delete(post=Post.objects.get(uri={uri!r}))\nprint(json.dumps(1))"
    )
    wait_until(lambda: everywhere(lambda a: a.status_code in (404, 410)), timeout=10,
               message="the deleted post gone from every web process after the cache's seconds")
