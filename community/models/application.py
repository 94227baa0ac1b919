"""A membership application: an organisation asks to join; staff approve (its actor is created) or reject it."""

from django.conf import settings
from django.db import models


class ApplicationState(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class MembershipApplication(models.Model):
    organisation_name = models.CharField(max_length=200)
    username = models.CharField(max_length=63, help_text="the wished user name (handle) on this node")
    email = models.EmailField()
    description = models.TextField(blank=True)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    fields_of_work = models.ManyToManyField("community.FieldOfWork", blank=True)
    website = models.URLField(max_length=300, blank=True)
    # an organisation already on the Fediverse links that account instead of getting a new one
    remote_handle = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True, help_text="a note to staff")
    status = models.CharField(max_length=10, choices=ApplicationState.choices, default=ApplicationState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="why it was rejected (sent to the applicant)")
    actor = models.ForeignKey("actors.Actor", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.status})"
