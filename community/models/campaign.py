"""A social-media campaign of the association: a hashtag over a period, and the members' posts that use it."""

from django.db import models


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    hashtag = models.CharField(max_length=100, help_text="without #, e.g. GleichImNetz")
    starts_on = models.DateField()
    ends_on = models.DateField()
    description = models.TextField(blank=True)
    call_to_action = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name
