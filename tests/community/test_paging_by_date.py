"""The website's post lists page by date, as they are ordered: a post that arrives late under an old date (a member's
website feed read for the first time, a remote post fetched late) has its place on the page of its date.

Each list is walked by its "older" links from the first page to the last, as a visitor clicks them, and must show
every post once, in the order of the list: by date, newest first, then by id."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from actors.services.local import organization_create
from community.models import Campaign
from community.selectors import _feed_card_query, feed_card_rows
from community.services.profiles import profile_create
from community.services.scout_groups import group_create
from fediverse_node.prepared import db_datetime
from posts.ids import next_id
from posts.models import Post, PostType
from posts.services.boosts import boost_create
from posts.services.publishing import post_create

from ..plans import rows_read, settled_plan

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def member(username: str, *, profile: bool = True):
    actor = organization_create(username=username, email=f"{username}@example.org", password="member-pass-1",
                                display_name=username.title())
    if profile:
        profile_create(actor=actor, city="Berlin", state="BE", fields_of_work=["migration"], description="Wir beraten.",
                       postal_code="10115")
    return actor


def dated(post: Post, moment: datetime) -> Post:
    Post.objects.filter(id=post.id).update(published=moment)
    post.published = moment
    return post


def posts_with_late_arrivals(author, *, count: int = 45, **options) -> list[Post]:
    """`count` posts a minute apart, each newer than the one before, then three that arrive last with old dates:
    one between two early posts, one between two on the first page's boundary, one at the very date of another."""
    posts = [dated(post_create(author=author, text=f"Beitrag {n:02d} #Garten", **options), START + timedelta(minutes=n))
             for n in range(count)]
    late = [
        dated(post_create(author=author, text="Spät: aus dem Archiv #Garten", **options), START + timedelta(minutes=10.5)),
        dated(post_create(author=author, text="Spät: vom Sommerfest #Garten", **options), START + timedelta(minutes=30.5)),
        dated(post_create(author=author, text="Spät: zur selben Minute #Garten", **options), posts[5].published),
    ]
    assert all(post.id > posts[-1].id for post in late)  # they arrived last
    return posts + late


def in_list_order(posts: list[Post]) -> list[int]:
    return [post.id for post in sorted(posts, key=lambda post: (post.published, post.id), reverse=True)]


def walk(path: str, shown: str = "posts") -> list[int]:
    """Every post the list shows, page after page, following its "older" link as a visitor clicks it."""
    client, seen = Client(), []
    for _page in range(20):
        response = client.get(path)
        assert response.status_code == 200
        seen += [item.id for item in response.context[shown]]
        link = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
        assert (link is None) == (response.context["older"] is None)
        if link is None:
            return seen
        path = response.request["PATH_INFO"] + html.unescape(link.group(1))  # the link keeps the list's filters
    raise AssertionError(f"{path}: more pages than posts")


@pytest.mark.parametrize("path", ["/feed/", "/feed/?tag=garten", "/feed/?state=BE", "/feed/?field=migration",
                                  "/tags/Garten", "/members/kita/"])
def test_a_late_post_with_an_old_date_is_on_the_page_of_its_date(path):
    posts = posts_with_late_arrivals(member("kita"))
    assert walk(path) == in_list_order(posts)


def test_the_page_of_an_organisation_without_profile():
    posts = posts_with_late_arrivals(member("verein", profile=False))
    assert walk("/members/verein/") == in_list_order(posts)


def test_the_blog():
    articles = posts_with_late_arrivals(member("kita"), count=25, type=PostType.ARTICLE, name="Bericht")
    assert walk("/blog/", shown="articles") == in_list_order(articles)


def test_a_campaign():
    posts = posts_with_late_arrivals(member("kita"))
    Campaign.objects.create(name="Gärten", slug="gaerten", hashtag="Garten", starts_on=date(2026, 3, 1),
                            ends_on=date(2026, 3, 31))
    assert walk("/campaigns/gaerten/") == in_list_order(posts)


def test_a_group():
    group = group_create(username="scouts_garten", display_name="Scouts Garten")
    posts = posts_with_late_arrivals(member("kita"), count=25)
    for post in posts:
        boost_create(actor=group.actor, post=post)
    assert walk("/groups/scouts_garten/") == in_list_order(posts)


def test_a_page_below_a_post_deleted_since_goes_on_from_the_moment_in_its_id():
    author = member("kita")
    posts = posts_with_late_arrivals(author)
    for post in posts:  # each post's date is the moment in its id, as for posts made here
        dated(post, datetime.fromtimestamp((post.id >> 16) / 1000, tz=UTC))
    boundary = in_list_order(posts)[19]
    expected = in_list_order(posts)[20:40]
    Post.objects.filter(id=boundary).delete()
    rows = feed_card_rows(before=boundary, limit=20)
    assert [row[0] for row in rows] == expected


def test_hostile_before_values_show_the_first_page_or_an_empty_one():
    posts = posts_with_late_arrivals(member("kita"), count=6)
    client = Client()
    for value in ["abc", "-1", "1 OR 1=1", "9" * 30, "%00", ""]:
        response = client.get(f"/feed/?before={value}")
        assert response.status_code == 200 and [card.id for card in response.context["posts"]] == in_list_order(posts)
    assert client.get(f"/feed/?before={2**63 - 1}").context["posts"]  # below the newest possible id: every post
    assert not client.get("/feed/?before=0").context["posts"]  # below 1970: none


def test_a_page_deep_in_the_feed_reads_only_its_own_posts():
    """A page below the first walks the date index down from its boundary, as the first page walks it from the top:
    it reads no newer post, and sorts no more than the posts of one date (SQLite) or none (PostgreSQL, where the
    first page is checked too: its settled plan read every post of a small node)."""
    author = member("kita")
    start = START.timestamp()
    Post.objects.bulk_create([
        Post(id=next_id(start + n * 60), uri=f"{author.uri}/p{n}", url="", author=author, local=True, content="x",
             source="x", visibility="public", published=START + timedelta(minutes=n)) for n in range(1500)
    ])
    ordered = list(Post.objects.order_by("-published", "-id").values_list("id", "published"))
    boundary, boundary_date = ordered[1000]
    query = _feed_card_query(hashtag=False, field=False, state=False, before=True, limit=21)
    sql, kept, slots, *_ = query.compiled()
    params = list(kept)
    for position, name, _index in slots:
        params[position] = {"before": boundary, "published": db_datetime(boundary_date)}[name]
    if connection.vendor == "postgresql":
        # with the feed's constants (visibility, type) as parameters too, the generic plan PostgreSQL settled on
        # below ~10,000 posts read and sorted every post below the boundary (fediverse_node/prepared.py)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE posts_post, actors_actor, community_memberprofile")
        # the page and the one more row the scan hands over before the limit stops it
        assert rows_read(settled_plan(sql, params), Post._meta.db_table) <= 21 + 1
        first = _feed_card_query(hashtag=False, field=False, state=False, before=False, limit=21)
        assert rows_read(settled_plan(first.sql(), list(first.compiled()[1])), Post._meta.db_table) <= 21 + 1
    else:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = [row[-1] for row in cursor.fetchall()]
        assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), plan  # no sort of the whole list
        assert any("posts_post" in step and "published<" in step for step in plan), plan  # a range of the date
    assert [row[0] for row in feed_card_rows(before=boundary, limit=21)] == [pid for pid, _ in ordered[1001:1022]]
