"""Something a local actor should hear about: a follow, a mention, a like, a boost, an edit."""

from django.db import models


class NotificationType(models.TextChoices):
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    MENTION = "mention"
    FAVOURITE = "favourite"
    REBLOG = "reblog"
    STATUS = "status"
    UPDATE = "update"


class Notification(models.Model):
    recipient = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="notifications", db_index=False)
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    from_actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-id"])]
        ordering = ["-id"]
