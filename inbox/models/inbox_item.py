"""A received activity, stored durably before we answer 202; a Celery task runs its handler. Its state graph
(INBOX_ITEM_STATES): a worker claims a received item under a lease and moves it, guarded by that lease, to

received -> received     a retry later (the sweep runs it again)
received -> processed | ignored | failed"""

from django.db import models

from fediverse_node.states import StateGraph


class InboxState(models.TextChoices):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"  # unknown type or nothing to do: stored, cleanly set aside
    FAILED = "failed"


INBOX_ITEM_STATES = StateGraph("inbox item", [
    (InboxState.RECEIVED, InboxState.RECEIVED),
    (InboxState.RECEIVED, InboxState.PROCESSED),
    (InboxState.RECEIVED, InboxState.IGNORED),
    (InboxState.RECEIVED, InboxState.FAILED),
])


class JSONText(models.JSONField):
    """A JSONField kept as text on PostgreSQL too (SQLite keeps JSON as text anyway). The spool writes each
    activity once, as the JSON its peer sent, reads it back once and never queries inside it: `jsonb` parsed it on
    every insert and printed it again on every claim, about twice the server's CPU of text for the spool's hottest
    two statements (docs/benchmarks.md). The ORM reads and writes it as a JSONField does."""

    def db_type(self, connection) -> str | None:
        return "text" if connection.vendor == "postgresql" else super().db_type(connection)


class InboxItem(models.Model):
    activity_id = models.URLField(max_length=500, unique=True)
    type = models.CharField(max_length=50)
    actor_uri = models.URLField(max_length=500)
    payload = JSONText()
    state = models.CharField(max_length=10, choices=InboxState.choices, default=InboxState.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Until when a worker holds the item (set by its claim, cleared by its outcome): the outcome is written only
    # while the row still carries this worker's lease, so one whose lease ran out cannot overwrite the next one's.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "id"]),
            # The items no run has tried yet, oldest first, as a backlog's drain takes them (inbox/tasks.py
            # _backlog_next): however many ended items the table keeps for the replay guard, this index holds the
            # waiting ones, and an ordered scan of it stops after a batch. Through (state, id) PostgreSQL read every
            # index entry of "received" that its vacuum had not yet cleared, each item's old version among them.
            models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True), name="inbox_untried"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.activity_id} ({self.state})"
