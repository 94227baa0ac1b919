"""Search with resolve=true: a pasted post or profile link is fetched from its own server (Mastodon's behaviour), and
our own website's addresses (/members/<name>/, /posts/<id>/) name our actors and posts."""

import pytest

from posts.models import Post
from posts.services.publishing import post_create
from tests.interop.bovine_peer import BovinePeer

from .conftest import Api, make_org


def _note(peer: BovinePeer, number: int, **extra) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.base}/notes/{number}", "type": "Note",
        "attributedTo": peer.actor_id, "content": f"<p>Hallo {number}</p>", "published": "2026-12-01T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "url": f"{peer.base}/@peer/{number}", **extra,
    }


def _search(api: Api, query: str, **params) -> dict:
    answer = api.get("/api/v2/search", {"q": query, **params})
    assert answer.status_code == 200, answer.content
    return answer.json()


@pytest.mark.django_db
def test_a_post_link_is_fetched_from_its_server_only_with_resolve_and_a_user(api, anonymous):
    with BovinePeer() as peer:
        note = _note(peer, 1)
        peer.serve(note)
        peer.documents["/@peer/1"] = note  # the page address people copy answers with the same object
        assert _search(api, note["url"], type="statuses")["statuses"] == []
        assert _search(anonymous, note["url"], type="statuses", resolve="true")["statuses"] == []
        assert not Post.objects.filter(uri=note["id"]).exists()

        found = _search(api, note["url"], type="statuses", resolve="true")["statuses"]
        assert [s["uri"] for s in found] == [note["id"]] and "Hallo 1" in found[0]["content"]
        assert found[0]["account"]["acct"] == f"peer@{peer.host}:{peer.port}"
        again = _search(api, note["id"], resolve="true")  # known now: no second copy
        assert [s["id"] for s in again["statuses"]] == [found[0]["id"]]
        assert Post.objects.filter(uri=note["id"]).count() == 1


@pytest.mark.django_db
def test_a_fetched_post_must_come_from_its_authors_server(api):
    with BovinePeer() as peer, BovinePeer("other") as other:
        peer.serve(_note(peer, 2, attributedTo=other.actor_id))  # claims an author on another server
        other.documents["/copy/3"] = _note(peer, 3)  # another server hands out a copy of a post it does not hold
        for url in (f"{peer.base}/notes/2", f"{other.base}/copy/3"):
            assert _search(api, url, type="statuses", resolve="true")["statuses"] == []
        assert not Post.objects.filter(uri__startswith=peer.base).exists()


@pytest.mark.django_db
def test_our_own_profile_and_post_pages_name_our_actors_and_posts(api):
    member = make_org("sonnenschein")
    post = post_create(author=member, text="Sommerfest am Samstag")
    found = _search(api, "http://testserver/members/sonnenschein/", type="accounts", resolve="true")["accounts"]
    assert [a["username"] for a in found] == ["sonnenschein"]
    Post.objects.filter(id=post.id).update(url="")  # the page address still names it when no url is stored
    statuses = _search(api, f"http://testserver/posts/{post.id}/", type="statuses", resolve="true")["statuses"]
    assert [s["id"] for s in statuses] == [str(post.id)]


@pytest.mark.django_db
def test_a_profile_link_that_answers_with_an_actor_of_another_server_is_taken_from_that_server(api):
    """Our own /members/<user@host>/ pages redirect to the member's server: the actor is fetched by its own id."""
    with BovinePeer("website") as website, BovinePeer("freunde") as home:
        forged = {**home.profile, "preferredUsername": "falsch", "inbox": f"{website.base}/inbox"}
        website.documents["/members/freunde/"] = forged  # a copy: only the id is believed, and fetched from home
        found = _search(api, f"{website.base}/members/freunde/", type="accounts", resolve="true")["accounts"]
        assert [(a["username"], a["url"]) for a in found] == [("freunde", home.actor_id)]


@pytest.mark.django_db
def test_search_pages_by_offset_and_refuses_or_ends_odd_offsets(api):
    """A negative offset was a 500 (Django slices no negative index), one past 64 bits a 500 on PostgreSQL; deep
    pages end at MAX_OFFSET, so an app that pages on gets an empty page and stops."""
    for name in ("kita_a", "kita_b", "kita_c"):
        make_org(name)
    names = [a["acct"] for a in _search(api, "kita", type="accounts")["accounts"]]
    assert names == ["kita_a", "kita_b", "kita_c"]
    assert [a["acct"] for a in _search(api, "kita", type="accounts", offset=1, limit=1)["accounts"]] == ["kita_b"]
    assert [a["acct"] for a in api.get("/api/v1/accounts/search", {"q": "kita", "offset": 2}).json()] == ["kita_c"]
    for path in ("/api/v2/search", "/api/v1/accounts/search"):
        refused = api.get(path, {"q": "kita", "offset": -1})
        assert refused.status_code == 422 and "offset" in refused.json()["error"]
        deep = api.get(path, {"q": "kita", "offset": "99999999999999999999"})
        assert deep.status_code == 200 and deep.json() in ([], {"accounts": [], "statuses": [], "hashtags": []})
