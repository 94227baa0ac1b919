"""A hashtag, stored lower-case without the #."""

from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class TagFollow(models.Model):
    """A local actor follows a hashtag: public posts carrying it join its home feed."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="tag_follows", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="followed_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "tag"], name="tag_follow_unique_pair")]
