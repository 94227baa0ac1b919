"""Which streams an event goes to, decided where it is published (as the REST timelines decide), and which streams a
reader may open."""

import uuid

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Block
from actors.services.local import actor_create_local
from fediverse_node.protocol.vocab import Activity
from inbox.handlers import handle_announce, handle_undo
from posts.models import Notification, Post
from posts.services.publishing import post_create, post_delete
from streaming import bus as bus_module
from streaming.publishing import notifications_publish, updates_publish
from streaming.streams import StreamError, stream_subscription
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db(transaction=True)  # events leave after commit


@pytest.fixture
def published(monkeypatch):
    """The events this process puts on the bus (the real bus of the settings is replaced by a list)."""
    events = EventsRecorded()

    class Recorder:
        def publish(self, batch):
            events.extend(batch)

        def listening(self, keys):
            return set(keys) - events.nobody_listens  # every key has a stream open, unless the test says otherwise

    monkeypatch.setattr(bus_module, "_bus", Recorder())
    return events


class EventsRecorded(list):
    """The events published, and the keys the test says no stream listens to."""

    def __init__(self):
        super().__init__()
        self.nobody_listens: set[str] = set()


def _keys(events: list[dict], event: str) -> set[str]:
    return {key for e in events if e["event"] == event for key in e["keys"]}


def test_followers_only_post_goes_to_followers_only(published):
    author, follower, stranger = (actor_create_local(username=n) for n in ("autor", "folgt", "fremd"))
    accepted_follow(follower=follower, target=author)
    post = post_create(author=author, text="Nur intern #Fest", visibility="private")
    assert _keys(published, "update") == {f"user:{author.id}", f"user:{follower.id}"}
    assert f"user:{stranger.id}" not in _keys(published, "update")
    payload = orjson.loads(published[0]["payload"])
    assert payload["visibility"] == "private" and payload["favourited"] is False

    published.clear()
    post_delete(post=post)
    assert _keys(published, "delete") == {f"user:{author.id}", f"user:{follower.id}"}


def test_public_post_goes_to_public_and_hashtag_streams_not_to_a_blocking_follower(published):
    author, follower, blocker = (actor_create_local(username=n) for n in ("autor", "folgt", "sperrt"))
    accepted_follow(follower=follower, target=author)
    accepted_follow(follower=blocker, target=author)
    Block.objects.create(actor=blocker, target=author, uri="https://testserver/blocks/1")
    post_create(author=author, text="Sommerfest #Garten")
    keys = _keys(published, "update")
    assert {"public", "public:local", "hashtag:garten", "hashtag:local:garten", f"user:{follower.id}"} <= keys
    assert f"user:{blocker.id}" not in keys
    public_event = next(e for e in published if "public" in e["keys"])
    assert public_event["authors"] == [author.id]  # each public reader's own blocks and mutes filter it


def test_stream_subscription_follows_the_rest_api_scopes():
    assert stream_subscription(name="user", tag="", actor_id=7, scopes=frozenset({"read"})).key == "user:7"
    assert stream_subscription(name="user:notification", tag="", actor_id=7,
                               scopes=frozenset({"read:notifications"})).key == "notification:7"
    assert stream_subscription(name="hashtag:local", tag="#Garten", actor_id=None,
                               scopes=frozenset()).label == ("hashtag:local", "garten")
    with pytest.raises(StreamError) as anonymous:
        stream_subscription(name="user", tag="", actor_id=None, scopes=frozenset())
    assert anonymous.value.status == 401
    with pytest.raises(StreamError) as narrow:
        stream_subscription(name="user", tag="", actor_id=7, scopes=frozenset({"read:notifications"}))
    assert narrow.value.status == 403
    with pytest.raises(StreamError):
        stream_subscription(name="list", tag="", actor_id=7, scopes=frozenset({"read"}))


def test_a_recipients_notifications_of_a_batch_are_rendered_together(published):
    """A batch of mentions for one member is one rendering: as many queries for eight as for two."""
    member, writers = actor_create_local(username="mitglied"), [remote_actor(host=f"h{i}.example") for i in range(8)]

    def mentions(count: int) -> list[int]:
        ids = []
        for writer in writers[:count]:
            post = Post.objects.create(author=writer, uri=f"{writer.uri}/notes/{uuid.uuid4()}", content="<p>Hallo</p>", published=timezone.now(),
                                       visibility="public", local=False)
            ids.append(Notification.objects.create(recipient=member, from_actor=writer, type="mention", post=post).id)
        return ids

    counted = []
    for count in (2, 8):
        ids = mentions(count)
        published.clear()
        with CaptureQueriesContext(connection) as queries:
            notifications_publish(ids=ids, recipients=[member.id])
        counted.append(len(queries))
        events = [e for e in published if e["event"] == "notification"]
        assert [orjson.loads(e["payload"])["id"] for e in events] == [str(i) for i in ids]
        assert all(e["keys"] == [f"user:{member.id}", f"notification:{member.id}"] for e in events)
    assert counted[0] == counted[1], counted


def test_nothing_is_rendered_for_streams_nobody_listens_to(published):
    author, follower = actor_create_local(username="autor"), actor_create_local(username="folgt")
    accepted_follow(follower=follower, target=author)
    writer = remote_actor(host="fern.example")
    post = Post.objects.create(author=writer, uri=f"{writer.uri}/notes/1", content="<p>Hallo</p>",
                               published=timezone.now(), visibility="public", local=False)
    mention = Notification.objects.create(recipient=follower, from_actor=writer, type="mention", post=post)
    published.nobody_listens |= {f"user:{follower.id}", f"notification:{follower.id}"}
    with CaptureQueriesContext(connection) as queries:
        notifications_publish(ids=[mention.id], recipients=[follower.id])
    assert published == [] and len(queries) == 0  # the recipients came with the ids: nothing to read

    # the author's own stream is open, the follower's and the public ones are not: one event, to the author only
    published.nobody_listens |= {"public", "public:local", "hashtag:garten", "hashtag:local:garten"}
    post_create(author=author, text="Sommerfest #Garten")
    assert [e["keys"] for e in published if e["event"] == "update"] == [[f"user:{author.id}"]]


def test_the_public_streams_posts_and_tags_are_read_only_while_such_a_stream_is_open(published):
    author, follower = actor_create_local(username="autor"), actor_create_local(username="folgt")
    accepted_follow(follower=follower, target=author)
    post = post_create(author=author, text="Sommerfest #Garten")
    tags_table = Post.tags.through._meta.db_table

    def publish() -> list[str]:
        published.clear()
        with CaptureQueriesContext(connection) as queries:
            updates_publish(feeds={post.id: {follower.id}})
        return [query["sql"] for query in queries]

    # no public stream and no hashtag stream open (no "hashtag-any"): the follower's event, no public lookup
    published.nobody_listens |= {"public", "public:local", "public:remote", bus_module.ANY_HASHTAG}
    sql = publish()
    assert [e["keys"] for e in published] == [[f"user:{follower.id}"]]
    assert not any(tags_table in query for query in sql)
    nobody_public = len(sql)

    # the local public stream is open, no hashtag stream: the public event, still no tags read
    published.nobody_listens -= {"public:local"}
    sql = publish()
    assert [e["keys"] for e in published] == [[f"user:{follower.id}"], ["public:local"]]
    assert not any(tags_table in query for query in sql) and len(sql) > nobody_public

    # a hashtag stream is open somewhere: the tags are read, and the open hashtag streams get the post
    published.nobody_listens -= {bus_module.ANY_HASHTAG}
    published.nobody_listens |= {"hashtag:local:garten"}
    sql = publish()
    assert any(tags_table in query for query in sql)
    assert [e["keys"] for e in published] == [[f"user:{follower.id}"], ["public:local", "hashtag:garten"]]


def test_a_hashtag_stream_announces_that_some_hashtag_stream_is_open(tmp_path):
    sqlite_bus = bus_module.SqliteBus(tmp_path / "bus.sqlite3")
    sqlite_bus.announce(["user:1", "public"])
    assert sqlite_bus.listening([bus_module.ANY_HASHTAG, "public"]) == {"public"}
    sqlite_bus.announce(["hashtag:local:garten"])
    assert sqlite_bus.listening([bus_module.ANY_HASHTAG]) == {bus_module.ANY_HASHTAG}
    # the bus of this pass (Redis on the PostgreSQL pass) announces it too
    bus_module.bus().announce([f"hashtag:t{uuid.uuid4().hex}"])
    assert bus_module.keys_listened({bus_module.ANY_HASHTAG}) == {bus_module.ANY_HASHTAG}


def test_the_bus_knows_which_keys_a_stream_announced():
    """The real bus of this pass: the SQLite file of the embedded default, Redis on the PostgreSQL pass."""
    key = f"user:{uuid.uuid4().int % 10**9}"
    assert bus_module.keys_listened({key, "user:0"}) == set()
    bus_module.bus().announce([key])
    assert bus_module.keys_listened({key, "user:0"}) == {key}


def test_the_sqlite_bus_forgets_keys_nobody_serves_any_more(tmp_path, monkeypatch):
    """Anyone may open hashtag streams under tags of their choosing: what they announced does not pile up."""
    sqlite_bus, clock = bus_module.SqliteBus(tmp_path / "bus.sqlite3"), [1000.0]
    monkeypatch.setattr(bus_module.time, "time", lambda: clock[0])
    sqlite_bus.announce([f"hashtag:{'x' * 200}{n}" for n in range(50)])
    clock[0] += bus_module.LISTENING_SECONDS + 1
    sqlite_bus.announce(["user:1"])
    assert [row[0] for row in sqlite_bus._connection().execute("SELECT key FROM listening")] == ["user:1"]


def test_a_remote_boost_withdrawn_leaves_the_streams_that_showed_it(published):
    author, reader = actor_create_local(username="autor"), actor_create_local(username="liest")
    booster = remote_actor(host="m.example")
    accepted_follow(follower=reader, target=booster)
    post = post_create(author=author, text="Sommerfest")
    announce = {"id": f"{booster.uri}/statuses/9/activity", "type": "Announce", "actor": booster.uri,
                "object": post.uri, "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    handle_announce(Activity.parse(announce), booster)
    boost = Post.objects.get(author=booster, boost_of=post)
    assert f"user:{reader.id}" in _keys(published, "update")

    published.clear()
    handle_undo(Activity.parse({"id": f"{booster.uri}#undo/9", "type": "Undo", "actor": booster.uri,
                                "object": announce}), booster)
    assert not Post.objects.filter(id=boost.id).exists()
    deleted = [e for e in published if e["event"] == "delete"]
    assert [e["payload"] for e in deleted] == [str(boost.id)] and f"user:{reader.id}" in _keys(published, "delete")
