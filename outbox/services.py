"""Publishing: store an activity once and one Delivery per distinct remote inbox, in the caller's transaction."""

import functools
from collections.abc import Callable, Iterable
from datetime import UTC

import orjson
from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from fediverse_node.prepared import bigint_array
from fediverse_node.protocol.integrity import proof_sign
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.vocab import PUBLIC_ALIASES, ids_of
from fediverse_node.rows_insert import instances_insert

from .models import DELIVERY_STATES, Delivery, DeliveryState, OutgoingActivity
from .peers import peer_directory
from .tasks import deliveries_enqueue

PENDING = DeliveryState.PENDING.value


def _is_local_inbox(url: str) -> bool:
    return url.startswith(settings.FEDINODE_BASE_URL + "/")


def activity_publish(
    *, actor: models.Model, activity: dict, inboxes: Iterable[str], public: bool = False
) -> OutgoingActivity:
    """Record an outgoing activity and queue its deliveries (never to a suspended server); tasks start once the
    transaction commits. The actor (an `actors.Actor`) signs the deliveries, and signs the activity itself when
    it may be forwarded (see activity_proof_add)."""
    return _store(actor=actor, activity=activity_proof_add(actor=actor, activity=activity), inboxes=inboxes,
                  public=public)


def activity_proof_add(*, actor: models.Model, activity: dict) -> dict:
    """The activity with its author's Object Integrity Proof (FEP-8b32, eddsa-jcs-2022) when it is addressed to
    the public or to the actor's followers: a server that forwards it (ActivityPub §7.1.2, a reply's parent's
    server) signs only its request, and the third server believes the author on this proof (Fedify refuses a
    forwarded activity without one). A message to named people only is not signed, as Mastodon signs it not: a
    recipient could otherwise pass it on to anyone with the author's signature on it."""
    pem = getattr(actor, "proof_key_pem", "")
    followers = getattr(actor, "followers_url", "")
    addressed = {uri for key in ("to", "cc") for uri in ids_of(activity.get(key))}
    if not pem or not (addressed & PUBLIC_ALIASES or (followers and followers in addressed)):
        return activity
    key_id = actor.proof_key_id  # type: ignore[attr-defined]  # an actors.Actor: the outbox does not import actors
    created = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return proof_sign(activity, private_key=load_private_key(pem), verification_method=key_id, created=created)


def _store(*, actor: models.Model, activity: dict, inboxes: Iterable[str], public: bool) -> OutgoingActivity:
    outgoing = OutgoingActivity.objects.create(
        uri=activity["id"], actor_id=actor.pk, type=activity["type"], body=orjson.dumps(activity), public=public
    )
    ids = _deliveries_insert([(outgoing.pk, url) for url in _targets(inboxes)])
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return outgoing


def activities_publish(*, publications: list[tuple[models.Model, dict, Iterable[str]]]) -> list[OutgoingActivity]:
    """activity_publish for many (actor, activity, inboxes) at once (a batch of follows answered with an Accept
    each): one write for the activities and one for all their deliveries."""
    signed = [(actor, activity_proof_add(actor=actor, activity=activity), inboxes)
              for actor, activity, inboxes in publications]
    rows = instances_insert([
        OutgoingActivity(uri=activity["id"], actor_id=actor.pk, type=activity["type"], body=orjson.dumps(activity))
        for actor, activity, _ in signed
    ])
    ids = _deliveries_insert(
        [(row.pk, url) for row, (_, _, inboxes) in zip(rows, signed, strict=True) for url in _targets(inboxes)]
    )
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return rows


def _targets(inboxes: Iterable[str]) -> list[str]:
    """The inboxes a delivery goes to: each once, never ours, never a suspended server's."""
    directory = peer_directory()
    return sorted({url for url in inboxes if url and not _is_local_inbox(url) and not directory.is_suspended(url)})


def _deliveries_insert(rows: list[tuple[int, str]]) -> list[int]:
    """A pending Delivery per (activity id, inbox URL), due now; their ids. A post to the followers of an
    organisation writes a row per server in the request that posts it: bulk_create built a model instance per row
    and bound every value, which cost that request more than the rest of its work while the web worker's other
    requests waited. One statement of a fixed text instead (executemany on SQLite, the ids and URLs as two arrays on
    PostgreSQL); the activities are new in this transaction, so their deliveries are exactly these rows."""
    if not rows:
        return []
    connection = connections[router.db_for_write(Delivery)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = _deliveries_insert_sql(connection.alias)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            activities, urls = zip(*rows, strict=True)
            cursor.execute(sql, [PENDING, now, now, bigint_array(activities), list(urls)])
        else:
            cursor.executemany(sql, [(activity, PENDING, now, now, url) for activity, url in rows])
    made = Delivery.objects.using(connection.alias).filter(activity_id__in={activity for activity, _ in rows})
    return list(made.order_by("pk").values_list("pk", flat=True))


@functools.cache
def _deliveries_insert_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in (
        "activity_id", "state", "attempts", "last_error", "next_attempt_at", "created_at", "inbox_url"
    ))
    head = f"INSERT INTO {quote(Delivery._meta.db_table)} ({columns}) "
    if connection.vendor == "postgresql":
        return head + (
            "SELECT activity, %s, 0, '', %s, %s, url FROM unnest(%s::bigint[], %s::text[]) AS delivery(activity, url)"
        )
    return head + "VALUES (%s, %s, 0, '', %s, %s, %s)"


def activity_forward(*, actor: models.Model, activity: dict, inboxes: Iterable[str]) -> OutgoingActivity | None:
    """Forward another server's activity (ActivityPub §7.1.2) under our actor's signature (the author's own HTTP
    signature covered its request to us and cannot be reused); once per activity id, never listed in our outbox."""
    if OutgoingActivity.objects.filter(uri=activity["id"]).exists():
        return None
    return _store(actor=actor, activity=activity, inboxes=inboxes, public=False)  # as it came: its author's proof


def deliveries_stop(*, inbox_matches: Callable[[str], bool], reason: str) -> int:
    """Give up the pending deliveries to the inboxes that match (a server just suspended); how many."""
    pending = Delivery.objects.filter(state=DeliveryState.PENDING).values_list("id", "inbox_url").iterator()
    ids = [pk for pk, url in pending if inbox_matches(url)]
    stopped = 0
    for start in range(0, len(ids), 500):
        stopped += _give_up(Delivery.objects.filter(id__in=ids[start : start + 500]), reason)
    return stopped


def deliveries_stop_of(*, actor_id: int, reason: str) -> int:
    """Give up the pending deliveries of an actor's activities (the actor was suspended); how many."""
    return _give_up(Delivery.objects.filter(activity__actor_id=actor_id), reason)


def _give_up(rows, reason: str) -> int:
    """Pending -> given up, whoever holds the rows: a worker sending one meanwhile then finds it no longer
    pending and leaves it (outbox/sender.py writes only on the state it leaves)."""
    return DELIVERY_STATES.move(rows, source=DeliveryState.PENDING, to=DeliveryState.GIVEN_UP, last_error=reason)
