"""page_facts: the counts and the viewer's marks for a page, in one statement: on PostgreSQL a fixed text with the
ids as array parameters (prepared once per connection), on SQLite with the ids written in as integers."""

import pytest
from django.db import connection
from django.utils import timezone

from actors.models import Follow
from clientapi.entities.facts import _arrays_sql, page_facts
from fediverse_node.prepared import bigint_array
from posts.ids import next_id
from posts.models import Like, Post
from posts.services.boosts import boost_create
from posts.services.marks import bookmark_create, conversation_mute_create, pin_create
from posts.services.publishing import like_create, post_create

from ..plans import generic_plan, rows_read
from .conftest import make_org

pytestmark = pytest.mark.django_db


def test_counts_and_marks_of_a_page(org):
    other = make_org()
    liked, plain = post_create(author=other, text="gelesen"), post_create(author=other, text="still")
    like_create(actor=org, post=liked)
    boost_create(actor=org, post=liked)

    facts = page_facts(post_ids=[liked.id, plain.id], author_ids=[other.id], viewer_id=org.id)

    assert facts["favourites"] == {liked.id: 1} and facts["reblogs"] == {liked.id: 1}
    assert facts["favourited"] == {liked.id: 1} and facts["reblogged"] == {liked.id: 1}
    assert not facts["bookmarked"] and not facts["replies"]


def test_every_count_and_mark_is_the_viewers_own(org):
    """Marks of another reader, counts of several, replies, pins, bookmarks, mutes and follows each land where
    they belong, and what is zero is left out."""
    author, reader, third = make_org(), make_org(), make_org()
    first = post_create(author=author, text="eins")
    second = post_create(author=author, text="zwei")
    own = post_create(author=org, text="eigen")
    for actor in (org, reader, third):
        like_create(actor=actor, post=first)
    like_create(actor=reader, post=second)
    boost_create(actor=reader, post=second)
    post_create(author=third, text="Antwort", in_reply_to=first)
    post_create(author=third, text="noch eine", in_reply_to=first)
    bookmark_create(actor=org, post=second)
    bookmark_create(actor=reader, post=first)
    pin_create(actor=org, post=own)
    conversation_mute_create(actor=org, post=first)
    for follower in (reader, third):
        Follow.objects.create(follower=follower, target=author, uri=f"{follower.uri}#f", state="accepted")
    Follow.objects.create(follower=org, target=author, uri=f"{org.uri}#f", state="pending")
    Follow.objects.create(follower=author, target=third, uri=f"{author.uri}#f", state="accepted")
    ids = [first.id, second.id, own.id]

    facts = page_facts(post_ids=ids, author_ids=[author.id, org.id], viewer_id=org.id)

    assert facts["favourites"] == {first.id: 3, second.id: 1}
    assert facts["reblogs"] == {second.id: 1} and facts["replies"] == {first.id: 2}
    assert facts["favourited"] == {first.id: 1} and not facts["reblogged"]
    assert facts["bookmarked"] == {second.id: 1} and facts["pinned"] == {own.id: 1}
    assert facts["mutes"][0] == 1
    assert facts["followers"] == {author.id: 2} and facts["following"] == {author.id: 1}

    as_reader = page_facts(post_ids=ids, author_ids=[], viewer_id=reader.id)
    assert as_reader["favourited"] == {first.id: 1, second.id: 1} and as_reader["reblogged"] == {second.id: 1}
    assert as_reader["bookmarked"] == {first.id: 1} and not as_reader["pinned"] and not as_reader["mutes"][0]
    assert not as_reader["followers"]

    anonymous = page_facts(post_ids=ids, author_ids=[author.id], viewer_id=None)
    assert anonymous["favourites"] == facts["favourites"] and anonymous["followers"] == {author.id: 2}
    assert not anonymous["favourited"] and not anonymous["bookmarked"] and not anonymous["mutes"][0]

    accounts_only = page_facts(post_ids=[], author_ids=[author.id, third.id], viewer_id=None)
    assert accounts_only["followers"] == {author.id: 2, third.id: 1}
    assert accounts_only["following"] == {author.id: 1, third.id: 1}
    assert page_facts(post_ids=[], author_ids=[], viewer_id=org.id) == {}


def test_on_postgresql_every_page_and_viewer_send_the_same_text(org):
    """Only then can psycopg prepare the statement and the server plan it once (the point of the array form): the
    ids and the viewer travel as parameters, never in the text."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes the ids into the SQL")
    author, reader = make_org(), make_org()
    posts = [post_create(author=author, text=f"Beitrag {n}") for n in range(4)]
    sent: list[tuple[str, list]] = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        page_facts(post_ids=[posts[0].id, posts[1].id], author_ids=[author.id], viewer_id=org.id)
        page_facts(post_ids=[p.id for p in posts[1:]], author_ids=[author.id, org.id], viewer_id=reader.id)
    (first_sql, first_params), (second_sql, second_params) = sent
    assert first_sql == second_sql
    assert not any(str(value) in first_sql for value in (org.id, reader.id, *[p.id for p in posts]))
    page, authors = f"{{{posts[0].id},{posts[1].id}}}", f"{{{author.id}}}"
    assert first_params == [page] * 3 + [org.id] * 4 + [page, org.id] + [authors] * 2


def test_on_postgresql_no_plan_reads_all_the_viewers_likes(org):
    """The plan made once serves every page: with a viewer who liked 1,500 posts, a page of 20 reads about 20 likes
    for its counts and marks, not the viewer's 1,500 (as generic plans of `actor_id = $1 AND post_id = ANY($2)` and
    of the marks as EXISTS did)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans each statement with its values")
    author = make_org()
    posts = Post.objects.bulk_create([
        Post(id=next_id(1_700_000_000.0 + n), uri=f"{author.uri}/p{n}", url="", author=author, local=True,
             content="x", source="x", visibility="public", published=timezone.now()) for n in range(1500)
    ])
    Like.objects.bulk_create([Like(actor=org, post=p, uri=f"{org.uri}#like{p.id}") for p in posts])
    page = [p.id for p in posts[700:720]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_like, posts_post, actors_follow")
    sql, _slots = _arrays_sql(True, True, True)
    params = [bigint_array(page)] * 3 + [org.id] * 4 + [bigint_array(page), org.id] + [bigint_array([author.id])] * 2

    assert rows_read(generic_plan(sql, params), Like._meta.db_table) <= 2 * len(page)
    facts = page_facts(post_ids=page, author_ids=[author.id], viewer_id=org.id)
    assert facts["favourited"] == dict.fromkeys(page, 1) and facts["favourites"] == dict.fromkeys(page, 1)


def test_an_id_that_is_not_an_integer_never_reaches_the_sql(org):
    with pytest.raises(ValueError):
        page_facts(post_ids=["1) OR (1=1"], author_ids=[], viewer_id=None)
    with pytest.raises(ValueError):
        page_facts(post_ids=[1], author_ids=[], viewer_id="1 OR 1=1")
    with pytest.raises(ValueError):
        page_facts(post_ids=[], author_ids=["2} OR {1"], viewer_id=None)
