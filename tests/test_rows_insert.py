"""`instances_insert` (fediverse_node/rows_insert.py) stores exactly the rows `bulk_create` stores, for every kind of
column the batch paths write: given ids and automatic ones, choice members, JSON, files, floats, foreign keys given
as instances, hostile text, conflicts left; on both back-ends, compared as the database holds them (the text SQLite
keeps a date or a UUID as, not only what the ORM makes of it)."""

import datetime

import pytest
from django.db import DataError, connection
from django.utils import timezone

from actors.models import Follow, FollowState
from fediverse_node.rows_insert import instances_insert
from posts.ids import next_id
from posts.models import Attachment, Like, Notification, NotificationType, Post, PostType, Tag, Visibility
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db

HOSTILE = ["", "NULL", "a,b", "{x}", '"', "\\", 'end\\', "it's", "x\ny", "ä € 𝄞", "<script>alert(1)</script>"]
MOMENT = datetime.datetime(2026, 12, 7, 12, 30, 15, 123456, tzinfo=datetime.UTC)


def _rows(model, ids, leave=("id", "uri", "created_at", "updated_at")) -> list[dict]:
    """The rows as stored, without the columns that differ between two inserts of the same instances."""
    quote, table = connection.ops.quote_name, model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(table)} WHERE {quote(model._meta.pk.column)} IN "
                       f"({', '.join(['%s'] * len(ids))}) ORDER BY {quote(model._meta.pk.column)}", list(ids))
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [{key: value for key, value in row.items() if key not in leave} for row in rows]


def _stamps(model, pk) -> tuple:
    """created_at and updated_at as stored."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('created_at')}, {quote('updated_at')} FROM {quote(model._meta.db_table)} "
                       f"WHERE {quote('id')} = %s", [pk])
        return cursor.fetchone()


def _posts(author, mark: str) -> list[Post]:
    return [
        Post(id=next_id(), uri=f"https://remote.example/{mark}/{n}", url=text, author=author, local=False,
             type=PostType.ANNOUNCE if n % 2 else PostType.NOTE, visibility=Visibility.UNLISTED, content=text,
             summary=text, sensitive=bool(n % 2), language="de", extra={"text": text, "n": n, "list": [None, 1.5]},
             published=MOMENT, starts_at=MOMENT if n % 3 else None)
        for n, text in enumerate(HOSTILE)
    ]


def test_posts_with_their_ids_are_the_rows_bulk_create_stores():
    author = remote_actor()
    by_django = Post.objects.bulk_create(_posts(author, "django"))
    before = timezone.now()
    ours = instances_insert(_posts(author, "ours"))
    assert _rows(Post, [p.id for p in ours]) == _rows(Post, [p.id for p in by_django])
    stored = Post.objects.get(id=ours[0].id)
    assert stored.created_at >= before and stored.updated_at >= before  # auto_now_add and auto_now set
    assert all(not post._state.adding for post in ours)
    # the batch's moment stored as bulk_create stores one (on SQLite: the same text, which orders as the moments do)
    assert type(_stamps(Post, ours[0].id)[0]) is type(_stamps(Post, by_django[0].id)[0])
    assert len(str(_stamps(Post, ours[0].id)[0])) == len(str(_stamps(Post, by_django[0].id)[0]))


def test_automatic_ids_are_read_back_in_order():
    author = remote_actor()
    post = Post.objects.create(id=next_id(), uri="https://remote.example/p", author=author, published=MOMENT)

    def attachments():
        return [Attachment(owner=author, post=post, remote_url=f"https://remote.example/{n}.png", description=text,
                           media_type="image/png", width=n or None, height=n, focus_x=-0.5, focus_y=1e-05,
                           position=n, file=f"attachments/{n}.png" if n % 2 else "")
                for n, text in enumerate(HOSTILE)]

    by_django = Attachment.objects.bulk_create(attachments())
    ours = instances_insert(attachments())
    assert [a.id for a in ours] == sorted(a.id for a in ours) and None not in [a.id for a in ours]
    assert [Attachment.objects.get(id=a.id).description for a in ours] == HOSTILE
    assert _rows(Attachment, [a.id for a in ours]) == _rows(Attachment, [a.id for a in by_django])


def test_each_instance_gets_its_own_rows_id_across_statements():
    """More rows than SQLite binds in one statement (its limit of values): each instance reads its own row's id."""
    author = remote_actor()
    post = Post.objects.create(id=next_id(), uri="https://remote.example/many", author=author, published=MOMENT)
    count = 400  # SQLite binds at most 999 values a statement: 83 attachments
    ours = instances_insert([Attachment(owner=author, post=post, remote_url=f"https://remote.example/{n}.png",
                                        description=f"{n}: {HOSTILE[n % len(HOSTILE)]}", position=n)
                             for n in range(count)])
    stored = dict(Attachment.objects.filter(post=post).values_list("id", "description"))
    assert len(stored) == count
    assert [stored[a.id] for a in ours] == [f"{n}: {HOSTILE[n % len(HOSTILE)]}" for n in range(count)]


def test_foreign_keys_given_as_instances_and_choice_members():
    actors = [remote_actor() for _ in range(3)]
    post = Post.objects.create(id=next_id(), uri="https://remote.example/q", author=actors[0], published=MOMENT)

    def notifications():
        return [Notification(recipient=actors[0], type=kind, from_actor=actors[n % 3], post=post if n % 2 else None)
                for n, kind in enumerate(NotificationType)]

    by_django = Notification.objects.bulk_create(notifications())
    ours = instances_insert(notifications())
    assert _rows(Notification, [n.id for n in ours]) == _rows(Notification, [n.id for n in by_django])
    assert [type(n.type) for n in Notification.objects.filter(id__in=[n.id for n in ours])] == [str] * len(ours)

    follows = instances_insert([Follow(follower=actors[n], target=actors[0], uri=f"https://remote.example/f{n}",
                                       state=FollowState.ACCEPTED) for n in (1, 2)])
    assert [(f.follower_id, f.target_id, f.state) for f in Follow.objects.filter(id__in=[f.id for f in follows])] == [
        (actors[1].id, actors[0].id, "accepted"), (actors[2].id, actors[0].id, "accepted")]


def test_an_unsaved_related_instance_is_refused_as_bulk_create_refuses_it():
    author = remote_actor()
    unsaved = Post(id=None, uri="https://remote.example/unsaved", author=author, published=MOMENT)
    with pytest.raises(ValueError):
        instances_insert([Like(actor=author, post=unsaved, uri="https://remote.example/l1"),
                          Like(actor=author, post=unsaved, uri="https://remote.example/l2")])
    assert not Like.objects.exists()


def test_conflicts_are_left_when_asked():
    author = remote_actor()
    post = Post.objects.create(id=next_id(), uri="https://remote.example/t", author=author, published=MOMENT)
    tags = [Tag.objects.create(name=name) for name in ("eins", "zwei")]
    through = Post.tags.through
    instances_insert([through(post_id=post.id, tag_id=tags[0].id)], ignore_conflicts=True)
    instances_insert([through(post_id=post.id, tag_id=tag.id) for tag in tags + tags], ignore_conflicts=True)
    assert sorted(post.tags.values_list("name", flat=True)) == ["eins", "zwei"]


def test_a_hostile_text_with_a_nul_is_refused_and_stores_nothing():
    """PostgreSQL stores no NUL: the insert fails whole (the inbox checks for it before, fediverse_node/protocol)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores a NUL")
    author = remote_actor()
    with pytest.raises(DataError):
        instances_insert([Like(actor=author, post=Post.objects.create(
            id=next_id(), uri="https://remote.example/n", author=author, published=MOMENT), uri="https://x/\x00")])
    assert not Like.objects.exists()


def test_bytes_go_through_their_field_and_come_back_as_sent():
    """An activity's JSON bytes (a BinaryField) as the batch of Accepts writes them (outbox.services)."""
    from outbox.models import OutgoingActivity

    actor = remote_actor()

    def activities(mark: str):
        return [OutgoingActivity(uri=f"https://remote.example/{mark}/{n}", actor_id=actor.id, type="Accept",
                                 body=text.encode() + bytes(range(256)), public=bool(n % 2))
                for n, text in enumerate(HOSTILE)]

    by_django = OutgoingActivity.objects.bulk_create(activities("django"))
    ours = instances_insert(activities("ours"))
    assert _rows(OutgoingActivity, [a.id for a in ours]) == _rows(OutgoingActivity, [a.id for a in by_django])
    assert bytes(OutgoingActivity.objects.get(id=ours[1].id).body) == HOSTILE[1].encode() + bytes(range(256))
