"""Likes, bookmarks, pins and edit history of posts."""

from django.db import models


class Like(models.Model):
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="likes", db_index=False)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="likes")
    uri = models.URLField(max_length=500, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "post"], name="like_unique_pair")]


class Bookmark(models.Model):
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="bookmarks", db_index=False)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="bookmarked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "post"], name="bookmark_unique_pair")]


class Pin(models.Model):
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="pins", db_index=False)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="pinned_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "post"], name="pin_unique_pair")]


class PostEdit(models.Model):
    """A former version of a post, kept when it is edited."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="edits")
    content = models.TextField(blank=True)
    summary = models.CharField(max_length=1000, blank=True)
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class ConversationMute(models.Model):
    """A local actor muted a conversation: no notifications from any post of the thread under `root`."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="conversation_mutes", db_index=False)
    root = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="muted_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "root"], name="conversation_mute_unique_pair")]
