"""A report about an account (and some of its posts), made here by a member or forwarded by another server."""

from django.conf import settings
from django.db import models

COMMENT_MAX = 1000  # Mastodon's limit on a report's comment


class ReportCategory(models.TextChoices):
    SPAM = "spam"
    LEGAL = "legal"
    VIOLATION = "violation"
    OTHER = "other"


class ReportState(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"


class Report(models.Model):
    # null for a report another server sent us: Flags come from its instance actor to protect the reporter
    reporter = models.ForeignKey(
        "actors.Actor", null=True, blank=True, on_delete=models.CASCADE, related_name="reports_made"
    )
    origin_domain = models.CharField(max_length=255, blank=True, help_text="the server a remote report came from")
    target = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="reports_against")
    posts = models.ManyToManyField("posts.Post", blank=True, related_name="reports")
    comment = models.TextField(max_length=COMMENT_MAX, blank=True)
    category = models.CharField(max_length=10, choices=ReportCategory.choices, default=ReportCategory.OTHER)
    forwarded = models.BooleanField(default=False, help_text="a Flag went to the target's server")
    uri = models.URLField(max_length=500, null=True, blank=True, help_text="the Flag's id, if one was sent or came")
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One Flag may name several of our accounts: one report each, and a redelivered Flag adds none.
            models.UniqueConstraint(fields=["uri", "target"], name="report_unique_flag_target"),
        ]
        indexes = [models.Index(fields=["state", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        by = self.reporter.handle if self.reporter else self.origin_domain
        return f"{by} -> {self.target} ({self.state})"
