"""One activity to one inbox, with retries and back-off: pending -> sent | given_up."""

from datetime import datetime

from django.db import models


class DeliveryState(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    GIVEN_UP = "given_up"


class Delivery(models.Model):
    activity = models.ForeignKey("outbox.OutgoingActivity", on_delete=models.CASCADE, related_name="deliveries")
    inbox_url = models.URLField(max_length=500)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # not a column: the lease of the claim that handed out this row (outbox/sender.py)
    lease: datetime

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [models.UniqueConstraint(fields=["activity", "inbox_url"], name="delivery_unique_target")]

    def __str__(self) -> str:
        return f"{self.activity_id} -> {self.inbox_url} ({self.state})"
