"""page_facts: the counts and the viewer's marks for a page, with the ids written into the SQL as integers."""

import pytest

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
