"""Home-feed rows written by one statement of a fixed text (posts/services/feeds.py feed_rows_add)."""

import pytest

from actors.services.local import actor_create_local
from fediverse_node.prepared import bigint_array
from posts.models import FeedEntry
from posts.services import feeds
from posts.services.publishing import post_create
from posts.services.remote_batch import posts_create_remote
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db


def test_feed_rows_are_added_and_a_row_already_there_is_left():
    author, reader, other = (actor_create_local(username=name) for name in ("autor", "leser", "andere"))
    posts = [post_create(author=author, text=f"Beitrag {i}") for i in range(3)]
    FeedEntry.objects.filter(owner__in=[reader, other]).delete()
    kept = FeedEntry.objects.create(owner=reader, post=posts[0], author=author)
    rows = [(reader.id, post.id, author.id) for post in posts] + [(other.id, posts[2].id, author.id)]

    feeds.feed_rows_add(rows + rows[:1])  # one row twice, and one the feed holds already

    stored = set(FeedEntry.objects.filter(owner__in=[reader, other]).values_list("owner_id", "post_id", "author_id"))
    assert stored == set(rows)
    assert FeedEntry.objects.filter(owner=reader, post=posts[0]).get().id == kept.id
    feeds.feed_rows_add([])
    assert FeedEntry.objects.filter(owner__in=[reader, other]).count() == 4


def test_a_batch_of_received_posts_reaches_every_local_follower():
    peer = remote_actor(host="peer.example")
    readers = [actor_create_local(username=f"leser{i}") for i in range(3)]
    for reader in readers:
        accepted_follow(follower=reader, target=peer)
    public = "https://www.w3.org/ns/activitystreams#Public"
    notes = [
        {"id": f"{peer.uri}/notes/{i}", "type": "Note", "attributedTo": peer.uri, "content": f"<p>{i}</p>",
         "to": [public], "cc": [peer.followers_url]}
        for i in range(4)
    ]
    posts = posts_create_remote(entries=[(note, peer) for note in notes])
    stored = set(FeedEntry.objects.filter(post__in=posts).values_list("owner_id", "post_id", "author_id"))
    assert stored == {(reader.id, post.id, peer.id) for reader in readers for post in posts}


def test_a_deleted_post_or_actor_takes_its_feed_entries_along():
    # The database no longer does it (posts/models/feed.py): the ORM's cascades must.
    author, reader, other = (actor_create_local(username=name) for name in ("autorin", "leserin", "dritte"))
    for follower in (reader, other):
        accepted_follow(follower=follower, target=author)
    kept, deleted = (post_create(author=author, text=text) for text in ("bleibt", "geht"))
    assert FeedEntry.objects.filter(post=deleted).count() == 3  # the author's own feed and both followers'

    deleted.delete()
    assert not FeedEntry.objects.filter(post_id=deleted.id).exists()
    reader.delete()
    assert set(FeedEntry.objects.values_list("owner_id", "post_id")) == {(author.id, kept.id), (other.id, kept.id)}
    author.delete()
    assert not FeedEntry.objects.exists()


def test_an_id_array_is_passed_in_postgresqls_text_form_and_only_integers_get_into_it():
    assert bigint_array([3, 10**15, 42]) == "{3,1000000000000000,42}"
    assert bigint_array([]) == "{}"
    with pytest.raises(ValueError):
        bigint_array(["1},{2"])  # a value that would break the literal is refused, not passed on
