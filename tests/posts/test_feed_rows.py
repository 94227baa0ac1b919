"""Feed rows written in statements of integer literals (posts/services/feeds.py feed_rows_add)."""

import pytest

from actors.services.local import actor_create_local
from posts.models import FeedEntry
from posts.services import feeds
from posts.services.publishing import post_create

pytestmark = pytest.mark.django_db


def test_feed_rows_are_added_in_chunks_and_a_row_already_there_is_left(monkeypatch):
    monkeypatch.setattr(feeds, "FEED_ROWS_PER_STATEMENT", 2)
    author, reader, other = (actor_create_local(username=name) for name in ("autor", "leser", "andere"))
    posts = [post_create(author=author, text=f"Beitrag {i}") for i in range(3)]
    FeedEntry.objects.filter(owner__in=[reader, other]).delete()
    FeedEntry.objects.create(owner=reader, post=posts[0], author=author)
    rows = [(reader.id, post.id, author.id) for post in posts] + [(other.id, posts[2].id, author.id)]
    feeds.feed_rows_add(rows + rows[:1])  # five rows in three statements, two of them already in the feed
    stored = set(FeedEntry.objects.filter(owner__in=[reader, other]).values_list("owner_id", "post_id", "author_id"))
    assert stored == set(rows)
    feeds.feed_rows_add([])
