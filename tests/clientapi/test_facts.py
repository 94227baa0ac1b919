"""page_facts: the counts and the viewer's marks for a page; the ids go into the SQL as one array parameter on
PostgreSQL (one query text, prepared once) and as integer literals on SQLite."""

import pytest
from django.db import connection

from clientapi.entities.facts import page_facts
from posts.services.boosts import boost_create
from posts.services.publishing import like_create, post_create

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


def test_an_id_that_is_not_an_integer_never_reaches_the_sql(org):
    with pytest.raises(ValueError):
        page_facts(post_ids=["1) OR (1=1"], author_ids=[], viewer_id=None)
    with pytest.raises(ValueError):
        page_facts(post_ids=[1], author_ids=[], viewer_id="1 OR 1=1")


def test_on_postgresql_every_page_is_one_query_text_and_on_sqlite_its_ids_are_literals(org):
    other = make_org()
    first, second = post_create(author=other, text="eins"), post_create(author=other, text="zwei")
    like_create(actor=org, post=second)
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        one = page_facts(post_ids=[first.id], author_ids=[other.id], viewer_id=org.id)
        two = page_facts(post_ids=[first.id, second.id], author_ids=[other.id, org.id], viewer_id=other.id)
    assert one["favourites"] == {} and two["favourites"] == {second.id: 1}
    assert not two["favourited"]  # the like is org's; the viewer of this page is other
    if connection.vendor == "postgresql":
        assert sent[0] == sent[1]  # different ids and viewers, one statement: the server plans it once
    else:
        assert f"IN ({first.id}, {second.id})" in sent[1]
