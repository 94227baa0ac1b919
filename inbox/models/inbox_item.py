"""A received activity, stored durably before we answer 202; a Celery task runs its handler."""

from django.db import models


class InboxState(models.TextChoices):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"  # unknown type or nothing to do: stored, cleanly set aside
    FAILED = "failed"


class InboxItem(models.Model):
    activity_id = models.URLField(max_length=500, unique=True)
    type = models.CharField(max_length=50)
    actor_uri = models.URLField(max_length=500)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=InboxState.choices, default=InboxState.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "id"])]

    def __str__(self) -> str:
        return f"{self.type} {self.activity_id} ({self.state})"
