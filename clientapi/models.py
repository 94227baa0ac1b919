"""What the client API keeps beside django-oauth-toolkit's tables: app details, read markers, idempotency."""

from django.db import models
from oauth2_provider.models import Application

from .push_models import PushSubscription  # its own module; imported here so the app registers the model

__all__ = ["ClientApp", "IdempotentPost", "Marker", "PushSubscription"]


class ClientApp(models.Model):
    """What Mastodon's `POST /api/v1/apps` records and DOT's Application has no field for."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="client_app")
    website = models.URLField(max_length=500, blank=True)
    scopes = models.CharField(max_length=1000, default="read")


class Marker(models.Model):
    """Where a user stopped reading a timeline (home, notifications), shared between their clients."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="markers", db_index=False)
    timeline = models.CharField(max_length=20)
    last_read_id = models.CharField(max_length=30)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "timeline"], name="marker_unique_timeline")]


class IdempotentPost(models.Model):
    """A status created under an Idempotency-Key: a retried request returns it instead of posting twice."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=200)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="idempotent_post_unique_key")]
