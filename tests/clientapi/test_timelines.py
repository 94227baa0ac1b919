"""Timelines and paging: Link headers, max_id/since_id/min_id, a fixed number of queries per page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.services.blocks import block_create
from actors.services.follow import follow_request
from clientapi.localcache import fragments
from clientapi.views.timelines import _home_page
from posts.ids import next_id
from posts.models import FeedEntry, Post
from posts.services.boosts import boost_create
from posts.services.publishing import like_create, post_create

from ..plans import generic_plan, rows_read
from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db


def links(response) -> dict:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", ""))}


def test_home_timeline_pages_by_link_header(api, org):
    ids = [str(post_create(author=org, text=f"Beitrag {i}").id) for i in range(25)]
    first = api.get("/api/v1/timelines/home")
    assert first.status_code == 200 and [s["id"] for s in first.json()] == ids[::-1][:20]
    next_url = links(first)["next"]
    assert "max_id=" in next_url and next_url.startswith("http://testserver/api/v1/timelines/home?")
    second = api.get(next_url.replace("http://testserver", ""))
    assert [s["id"] for s in second.json()] == ids[::-1][20:]
    newer = api.get("/api/v1/timelines/home", {"min_id": ids[10], "limit": 3}).json()
    assert [s["id"] for s in newer] == [ids[13], ids[12], ids[11]]
    since = api.get("/api/v1/timelines/home", {"since_id": ids[22]}).json()
    assert [s["id"] for s in since] == [ids[24], ids[23]]
    assert api.get("/api/v1/timelines/home", {"limit": "many"}).status_code == 422


def test_home_timeline_bounds_beyond_64_bits_mean_all_or_nothing(api, org):
    ids = [str(post_create(author=org, text=f"Beitrag {i}").id) for i in range(3)]
    huge = str(10**30)
    assert [s["id"] for s in api.get("/api/v1/timelines/home", {"max_id": huge}).json()] == ids[::-1]
    assert api.get("/api/v1/timelines/home", {"max_id": f"-{huge}"}).json() == []
    assert api.get("/api/v1/timelines/home", {"since_id": huge}).json() == []
    assert [s["id"] for s in api.get("/api/v1/timelines/home", {"since_id": f"-{huge}"}).json()] == ids[::-1]
    between = api.get("/api/v1/timelines/home", {"max_id": ids[2], "since_id": ids[0], "limit": 1}).json()
    assert [s["id"] for s in between] == [ids[1]]


def test_a_feed_entry_whose_post_is_gone_is_left_out_of_the_home_timeline(api, org):
    # Feed entries carry no foreign-key constraint (posts/models/feed.py): one left behind by a post deleted outside
    # the ORM must not break a page, by either of the two ways a page is read.
    older = post_create(author=org, text="älter")
    FeedEntry.objects.create(owner=org, post_id=next_id(), author=org)
    newer = post_create(author=org, text="neuer")
    for params in ({}, {"max_id": str(10**18)}, {"only_media": "false", "min_id": "0"}):
        response = api.get("/api/v1/timelines/home", params)
        assert response.status_code == 200, params
        assert [s["id"] for s in response.json()] == [str(newer.id), str(older.id)], params


def test_home_shows_followed_accounts_and_their_boosts_not_strangers(api, org):
    followed, stranger = make_org(), make_org()
    follow_request(follower=org, target=followed)
    seen = post_create(author=followed, text="sichtbar")
    post_create(author=stranger, text="unsichtbar")
    boost = boost_create(actor=followed, post=post_create(author=stranger, text="geteilt"))
    timeline = api.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in timeline] == [str(boost.id), str(seen.id)]
    assert timeline[0]["reblog"]["content"].startswith("<p>geteilt")


def test_timeline_uses_a_fixed_number_of_queries(api, org):
    authors = [make_org() for _ in range(5)]
    for author in authors:
        follow_request(follower=org, target=author)
    def fill(count):
        for i in range(count):
            post = post_create(author=authors[i % 5], text=f"#tag{i} Text @{authors[(i + 1) % 5].username}")
            like_create(actor=org, post=post)
    fill(2)
    fragments.clear()  # measure with nothing rendered yet: the worst case
    with CaptureQueriesContext(connection) as small:
        assert len(api.get("/api/v1/timelines/home", {"limit": 2}).json()) == 2
    fill(30)
    fragments.clear()
    with CaptureQueriesContext(connection) as large:
        assert len(api.get("/api/v1/timelines/home", {"limit": 40}).json()) == 32
    assert len(large.captured_queries) == len(small.captured_queries) <= 25


def test_public_tag_and_account_timelines(org, anonymous):
    remote_less = post_create(author=org, text="öffentlich #Praxis")
    post_create(author=org, text="leise", visibility="unlisted")
    post_create(author=org, text="privat", visibility="private")
    public = anonymous.get("/api/v1/timelines/public").json()
    assert [s["id"] for s in public] == [str(remote_less.id)]
    assert anonymous.get("/api/v1/timelines/public", {"remote": "true"}).json() == []
    assert [s["id"] for s in anonymous.get("/api/v1/timelines/tag/praxis").json()] == [str(remote_less.id)]
    account = anonymous.get(f"/api/v1/accounts/{org.id}/statuses").json()
    assert len(account) == 2  # public and unlisted, not the followers-only one
    assert anonymous.get("/api/v1/timelines/home").status_code == 401


def test_only_media_and_exclude_replies(org, api):
    root = post_create(author=org, text="Wurzel")
    post_create(author=org, text="Antwort", in_reply_to=root)
    statuses = api.get(f"/api/v1/accounts/{org.id}/statuses", {"exclude_replies": "1"}).json()
    assert [s["id"] for s in statuses] == [str(root.id)]
    assert api.get("/api/v1/timelines/home", {"only_media": "true"}).json() == []


def test_blocked_and_muted_accounts_leave_the_timelines(api, org):
    noisy = make_org()
    follow_request(follower=org, target=noisy)
    post_create(author=noisy, text="laut")
    assert len(api.get("/api/v1/timelines/home").json()) == 1
    assert api.post(f"/api/v1/accounts/{noisy.id}/mute").json()["muting"] is True
    assert api.get("/api/v1/timelines/home").json() == []
    assert [a["id"] for a in api.get("/api/v1/mutes").json()] == [str(noisy.id)]
    api.post(f"/api/v1/accounts/{noisy.id}/unmute")
    blocked = api.post(f"/api/v1/accounts/{noisy.id}/block").json()
    assert blocked["blocking"] is True and blocked["following"] is False
    assert Api(issue_token(noisy)).post(f"/api/v1/accounts/{org.id}/follow").status_code == 403


def test_the_hidden_actors_are_read_only_for_a_caller_who_hides_someone(api, org):
    author, other = make_org(), make_org()
    hidden, seen = post_create(author=author, text="gleich verborgen"), post_create(author=other, text="bleibt")
    fragments.clear()
    with CaptureQueriesContext(connection) as quiet:
        assert [s["id"] for s in api.get("/api/v1/timelines/public").json()] == [str(seen.id), str(hidden.id)]
    block_create(actor=author, target=org)  # the author blocks the caller: the token's query now says so
    fragments.clear()
    with CaptureQueriesContext(connection) as hiding:
        assert [s["id"] for s in api.get("/api/v1/timelines/public").json()] == [str(seen.id)]
    # the same page's queries, and the one that reads whom to hide
    assert len(hiding.captured_queries) == len(quiet.captured_queries) + 1
    assert not any("actors_mute" in query["sql"] and "EXISTS" not in query["sql"] for query in quiet.captured_queries)


def test_a_page_deep_in_the_home_feed_reads_only_its_own_posts(org):
    """PostgreSQL plans the prepared home page once for every max_id. As one join of entries and posts, that plan
    walked the posts from the newest down to max_id, so paging down cost more the further it went."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan made once is PostgreSQL's; SQLite plans each statement with its values")
    author = make_org()
    start = 1_700_000_000.0
    posts = Post.objects.bulk_create([
        Post(id=next_id(start + n), uri=f"{author.uri}/p{n}", url="", author=author, local=True, content="x",
             source="x", visibility="public", published=timezone.now()) for n in range(1500)
    ])
    FeedEntry.objects.bulk_create([FeedEntry(owner=org, post_id=p.id, author_id=author.id) for p in posts])
    deep = sorted(p.id for p in posts)[300]
    query = _home_page(limit=20, below=True, above=False)
    sql, kept, slots, *_ = query.compiled()
    params = list(kept)
    for position, name, _index in slots:
        params[position] = {"viewer": org.id, "max_id": deep}[name]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post, posts_feedentry, actors_actor")
    assert rows_read(generic_plan(sql, params), Post._meta.db_table) <= 20
    assert [row[0] for row in query.rows(viewer=org.id, max_id=deep)] == sorted(
        (p.id for p in posts if p.id < deep), reverse=True)[:20]
