"""One activity to one inbox, with retries and back-off, and its state graph (DELIVERY_STATES).

pending -> pending     an attempt failed: retried later (the worker's lease ends with it)
pending -> sent        the inbox took it
pending -> given_up    a final refusal, too long dead, or stopped (the server or the actor was suspended)
A worker writes its outcome only while the row is pending under its own lease (outbox/sender.py)."""

from datetime import datetime

from django.db import models

from fediverse_node.states import StateGraph


class DeliveryState(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    GIVEN_UP = "given_up"


DELIVERY_STATES = StateGraph("delivery", [
    (DeliveryState.PENDING, DeliveryState.PENDING),
    (DeliveryState.PENDING, DeliveryState.SENT),
    (DeliveryState.PENDING, DeliveryState.GIVEN_UP),
])


class Delivery(models.Model):
    activity = models.ForeignKey("outbox.OutgoingActivity", on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    inbox_url = models.URLField(max_length=500)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # indexed with state only: the sweep reads (state, next_attempt_at); an index of its own had PostgreSQL read the
    # sent rows too, with statistics taken before the deliveries (tests/outbox/test_sweep_plan.py)
    next_attempt_at = models.DateTimeField()
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # not a column: the lease of the claim that handed out this row (outbox/sender.py)
    lease: datetime

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            # the ended rows whose keep period has passed (outbox/retention.py)
            models.Index(fields=["state", "created_at"], name="delivery_state_created"),
        ]
        constraints = [models.UniqueConstraint(fields=["activity", "inbox_url"], name="delivery_unique_target")]

    def __str__(self) -> str:
        return f"{self.activity_id} -> {self.inbox_url} ({self.state})"
