"""Blocks and mutes one actor keeps against another."""

from django.db import models


class Block(models.Model):
    """The actor sees nothing of the target and the target cannot follow it (federated as Block)."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="blocks", db_index=False)
    target = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="blocked_by")
    uri = models.URLField(max_length=500, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "target"], name="block_unique_pair")]


class Mute(models.Model):
    """The actor hides the target's posts (and, if asked, notifications) from itself; never federated."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="mutes", db_index=False)
    target = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="muted_by")
    notifications = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "target"], name="mute_unique_pair")]
