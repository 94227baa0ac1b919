"""An activity we published, rendered once; its deliveries point at it."""

from django.db import models


class OutgoingActivity(models.Model):
    uri = models.URLField(max_length=500, unique=True)
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="outgoing_activities", db_index=False)
    type = models.CharField(max_length=50)
    body = models.BinaryField(help_text="the JSON bytes sent to every inbox")
    public = models.BooleanField(default=False, help_text="listed in the actor's outbox collection")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["actor", "public", "-id"]),
            models.Index(fields=["created_at"], name="outgoing_created"),  # outbox/retention.py
        ]

    def __str__(self) -> str:
        return self.uri
