"""A remote server, with what we learned about it (signature scheme) and what staff decided (blocks)."""

from django.db import models


class SignatureScheme(models.TextChoices):
    RFC9421 = "rfc9421"
    CAVAGE = "cavage"


class Domain(models.Model):
    name = models.CharField(max_length=255, unique=True)
    # Double-knocking: we try RFC 9421 first and remember what the peer accepts.
    signature_scheme = models.CharField(max_length=10, choices=SignatureScheme.choices, blank=True)
    blocked = models.BooleanField(default=False)
    unreachable_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
