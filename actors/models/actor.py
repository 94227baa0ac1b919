"""An ActivityPub actor, local (with a private key) or remote (a cached copy of its document)."""

from django.conf import settings
from django.db import models

from .follow import FollowState


class ActorType(models.TextChoices):
    ORGANIZATION = "Organization"
    PERSON = "Person"
    GROUP = "Group"
    SERVICE = "Service"
    APPLICATION = "Application"


class ActorQuerySet(models.QuerySet):
    def visible(self) -> "ActorQuerySet":
        """Actors that are shown and reachable: neither deleted nor suspended here."""
        return self.filter(deleted=False, suspended=False)

    def followers_of(self, actor: "Actor") -> "ActorQuerySet":
        """The actor's accepted followers."""
        return self.filter(following_set__target=actor, following_set__state=FollowState.ACCEPTED)

    def followed_by(self, actor: "Actor") -> "ActorQuerySet":
        """The actors this one follows (accepted follows)."""
        return self.filter(follower_set__follower=actor, follower_set__state=FollowState.ACCEPTED)


class Actor(models.Model):
    uri = models.URLField(max_length=500, unique=True)
    username = models.CharField(max_length=100)
    domain = models.CharField(max_length=255, db_index=True)
    local = models.BooleanField(default=False, db_index=True)
    type = models.CharField(max_length=20, choices=ActorType.choices, default=ActorType.PERSON)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="actor"
    )

    display_name = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="HTML, sanitised")
    summary_source = models.TextField(blank=True, help_text="the plain text a local actor typed as its note")
    url = models.URLField(max_length=500, blank=True, help_text="profile page for people")
    icon_url = models.URLField(max_length=500, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    fields = models.JSONField(default=list, blank=True, help_text='[{"name": …, "value": …}]')
    manually_approves_followers = models.BooleanField(default=False)
    discoverable = models.BooleanField(default=True)

    inbox_url = models.URLField(max_length=500, blank=True)
    shared_inbox_url = models.URLField(max_length=500, blank=True)
    outbox_url = models.URLField(max_length=500, blank=True)
    followers_url = models.URLField(max_length=500, blank=True)
    following_url = models.URLField(max_length=500, blank=True)

    private_key_pem = models.TextField(blank=True)
    proof_key_pem = models.TextField(
        blank=True, help_text="a local actor's Ed25519 key (PKCS#8 PEM) for Object Integrity Proofs (FEP-8b32)"
    )
    document = models.JSONField(null=True, blank=True, help_text="the remote actor document as fetched")
    fetched_at = models.DateTimeField(null=True, blank=True)
    suspended = models.BooleanField(default=False, help_text="by staff here (actors.services.suspension)")
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "domain"], name="actor_unique_handle")]

    def __str__(self) -> str:
        return self.handle

    @property
    def handle(self) -> str:
        """user@domain, without the leading @."""
        return f"{self.username}@{self.domain}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    @property
    def proof_key_id(self) -> str:
        """The id of the Ed25519 Multikey its document lists as an assertionMethod."""
        return f"{self.uri}#ed25519-key"

    @property
    def delivery_inbox(self) -> str:
        """Where to send activities meant for all of this actor's server's followers: the shared inbox first."""
        return self.shared_inbox_url or self.inbox_url
