"""A local actor's home feed, written when posts arrive (fan-out on write), so reading a page is one index range."""

from django.db import models


class FeedEntry(models.Model):
    owner = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+", db_index=False)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "post"], name="feed_entry_unique")]
