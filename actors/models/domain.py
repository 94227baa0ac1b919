"""A remote server, with what we learned about it (signature scheme) and what staff decided (its block)."""

from django.db import models

from outbox import peers


class SignatureScheme(models.TextChoices):
    RFC9421 = peers.SignatureScheme.RFC9421.value
    CAVAGE = peers.SignatureScheme.CAVAGE.value


class DomainSeverity(models.TextChoices):
    """Mastodon's domain block severities (its CSV export names them so); reject_media is a separate flag there too."""

    NOOP = "noop"  # no block (reject_media may still apply)
    SILENCE = "silence"  # stored and shown to followers, kept out of public feeds and timelines
    SUSPEND = "suspend"  # nothing in, nothing out


class Domain(models.Model):
    name = models.CharField(max_length=255, unique=True)
    # Double-knocking: we try RFC 9421 first and remember what the peer accepts.
    signature_scheme = models.CharField(max_length=10, choices=SignatureScheme.choices, blank=True)
    severity = models.CharField(
        max_length=10, choices=DomainSeverity.choices, default=DomainSeverity.NOOP, db_index=True
    )
    reject_media = models.BooleanField(default=False, help_text="attachments, avatars and headers are not kept")
    unreachable_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

