"""An image or document attached to a post (uploaded here, or a remote URL)."""

from django.db import models


class Attachment(models.Model):
    owner = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="attachments")
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True, help_text="alt text")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.remote_url or self.file.name or ""

    @property
    def url(self) -> str:
        """Where the picture is: the stored file's URL here, else the remote server's (templates and entities)."""
        if self.file:
            return self.file.url
        return self.remote_url
