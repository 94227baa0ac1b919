"""A Web Push subscription (RFC 8030): where to push an access token's notifications, and which of them."""

from django.db import models
from oauth2_provider.models import AccessToken

# Mastodon's alert names; `poll` and the `admin.*` ones are kept and answered, though nothing here raises them yet.
ALERT_TYPES = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
               "admin.sign_up", "admin.report")


class PushPolicy(models.TextChoices):
    """From whom notifications are pushed (Mastodon's `data[policy]`)."""

    ALL = "all"
    FOLLOWED = "followed"  # only from accounts the user follows
    FOLLOWER = "follower"  # only from accounts that follow the user
    NONE = "none"


class PushSubscription(models.Model):
    """One per access token, as in Mastodon: a new subscription of the same token replaces the old one; revoking
    the token (or logging out) ends it."""

    access_token = models.OneToOneField(AccessToken, on_delete=models.CASCADE, related_name="push_subscription")
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=2000)
    key_p256dh = models.CharField(max_length=200)
    key_auth = models.CharField(max_length=100)
    # RFC 8291 (aes128gcm) when true; Mastodon's older draft encoding (aesgcm) otherwise, which its clients expect
    standard = models.BooleanField(default=False)
    alerts = models.JSONField(default=dict)
    policy = models.CharField(max_length=10, choices=PushPolicy.choices, default=PushPolicy.ALL)
    created_at = models.DateTimeField(auto_now_add=True)
