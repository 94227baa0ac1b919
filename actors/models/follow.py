"""A follow relation and its state graph (FOLLOW_STATES); actors/services/follow.py alone creates, moves and ends one.

pending -> accepted      the target (or its server) accepted
pending -> rejected      the target (or its server) refused the request; the row stays as the record of it
rejected -> pending      the follower asked again (a new Follow reopens the row under its new id)
An accepted follow is never "rejected": undoing, removing, blocking or deleting ends it (the row is deleted)."""

from django.db import models

from fediverse_node.states import StateGraph


class FollowState(models.TextChoices):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


FOLLOW_STATES = StateGraph("follow", [
    (FollowState.PENDING, FollowState.ACCEPTED),
    (FollowState.PENDING, FollowState.REJECTED),
    (FollowState.REJECTED, FollowState.PENDING),
])


class FollowQuerySet(models.QuerySet):
    def live(self) -> "FollowQuerySet":
        """Follows that are asked or active (not a refused request)."""
        return self.exclude(state=FollowState.REJECTED)


class Follow(models.Model):
    follower = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="following_set", db_index=False)
    target = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="follower_set", db_index=False)
    uri = models.URLField(max_length=500, unique=True, help_text="the Follow activity's id")
    state = models.CharField(max_length=10, choices=FollowState.choices, default=FollowState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "target"], name="follow_unique_pair")]
        indexes = [models.Index(fields=["target", "state"])]

    def __str__(self) -> str:
        return f"{self.follower} -> {self.target} ({self.state})"
