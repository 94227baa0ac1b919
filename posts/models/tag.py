"""A hashtag, stored lower-case without the #."""

from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return f"#{self.name}"
