"""A follow relation and its small state machine: pending -> accepted | rejected."""

from django.db import models


class FollowState(models.TextChoices):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Follow(models.Model):
    follower = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="following_set")
    target = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="follower_set")
    uri = models.URLField(max_length=500, unique=True, help_text="the Follow activity's id")
    state = models.CharField(max_length=10, choices=FollowState.choices, default=FollowState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "target"], name="follow_unique_pair")]
        indexes = [models.Index(fields=["target", "state"])]

    def __str__(self) -> str:
        return f"{self.follower} -> {self.target} ({self.state})"
