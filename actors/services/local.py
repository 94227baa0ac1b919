"""Local actors: creating them with their keys, and the URLs they live at."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop

from fediverse_node.errors import LocalizedError
from fediverse_node.protocol.keys import generate_ed25519_key, generate_rsa_keypair

from ..models import Actor, ActorType

INSTANCE_ACTOR_USERNAME = "instance.actor"
RESERVED_USERNAMES = {INSTANCE_ACTOR_USERNAME, "admin", "api", "inbox", "static", "media", "staff"}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$")


class UsernameError(LocalizedError, ValueError):
    """A name a new local actor or login cannot have (`str()` in English, `localized()` in the page's language)."""


def base_url() -> str:
    return settings.FEDINODE_BASE_URL


def local_actor_uri(username: str) -> str:
    return f"{base_url()}/actors/{username}"


# The website's page of each kind of local actor (the site's URLconf names them; the instance actor has none).
PAGE_ROUTES: dict[str, str] = {
    ActorType.ORGANIZATION: "community:profile", ActorType.PERSON: "community:scout", ActorType.GROUP: "community:group",
}


def local_actor_page_url(username: str, type: str) -> str:
    """The actor's page on the website, its ActivityStreams `url`; its id when it has no page."""
    route = PAGE_ROUTES.get(type)
    try:
        return f"{base_url()}{reverse(route, args=[username])}" if route else local_actor_uri(username)
    except NoReverseMatch:
        return local_actor_uri(username)


def username_check(username: str) -> None:
    """Raise UsernameError (a ValueError) with a reason if the name cannot be used for a new local actor."""
    if not USERNAME_RE.match(username):
        raise UsernameError(
            gettext_noop("A username uses letters, digits, '_', '.' or '-' (at most 63) and starts with a letter.")
        )
    if username.lower() in RESERVED_USERNAMES:
        raise UsernameError(gettext_noop("The username %(name)s is reserved."), name=repr(username))
    if Actor.objects.filter(local=True, username__iexact=username).exists():
        raise UsernameError(gettext_noop("The username %(name)s is taken."), name=repr(username))


def actor_create_local(
    *,
    username: str,
    type: str = ActorType.ORGANIZATION,
    display_name: str = "",
    summary: str = "",
    user=None,
    manually_approves_followers: bool = False,
    fields: list[dict] | None = None,
) -> Actor:
    """Create a local actor with a fresh RSA-2048 key pair (HTTP signatures), an Ed25519 key (Object Integrity
    Proofs) and its collection URLs."""
    private_pem, public_pem = generate_rsa_keypair()
    uri = local_actor_uri(username)
    actor = Actor.objects.create(
        uri=uri,
        username=username,
        domain=settings.FEDINODE_DOMAIN,
        local=True,
        type=type,
        user=user,
        display_name=display_name or username,
        summary=summary,
        url=local_actor_page_url(username, type),
        fields=fields or [],
        manually_approves_followers=manually_approves_followers,
        inbox_url=f"{uri}/inbox",
        shared_inbox_url=f"{base_url()}/inbox",
        outbox_url=f"{uri}/outbox",
        followers_url=f"{uri}/followers",
        following_url=f"{uri}/following",
        private_key_pem=private_pem,
        proof_key_pem=generate_ed25519_key(),
    )
    actor.public_keys.create(key_id=actor.key_id, pem=public_pem)
    return actor


@transaction.atomic
def login_actor_create(
    *, username: str, email: str, password: str | None, type: str, display_name: str = "",
    fields: list[dict] | None = None,
) -> Actor:
    """Create a local actor that logs in (user account + actor): an organisation or a scout. Without a password
    (None) the account cannot log in until one is set (`fediverse-node changepassword`, or a reset link)."""
    username_check(username)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameError(gettext_noop("A login named %(name)s exists already."), name=repr(username))
    user = User.objects.create_user(username=username, email=email, password=password)
    return actor_create_local(username=username, type=type, display_name=display_name, user=user, fields=fields)


def organization_create(
    *, username: str, email: str, password: str | None, display_name: str = "", city: str = ""
) -> Actor:
    """Create an approved member organisation that can log in (user account + Organization actor)."""
    fields = [{"name": "Ort", "value": city}] if city else []
    return login_actor_create(
        username=username, email=email, password=password, type=ActorType.ORGANIZATION,
        display_name=display_name, fields=fields,
    )


def instance_actor() -> Actor:
    """The node's own Application actor, which signs fetches made on nobody's behalf."""
    actor = Actor.objects.filter(local=True, username=INSTANCE_ACTOR_USERNAME).first()
    if actor is not None:
        return actor
    try:
        with transaction.atomic():
            actor = actor_create_local(
                username=INSTANCE_ACTOR_USERNAME,
                type=ActorType.APPLICATION,
                display_name=settings.FEDINODE_NAME,
                manually_approves_followers=True,
            )
            actor.discoverable = False
            actor.save(update_fields=["discoverable"])
    except IntegrityError:  # concurrent first requests (a burst of POSTs with unknown keys) each tried to make it
        actor = Actor.objects.get(local=True, username=INSTANCE_ACTOR_USERNAME)
    return actor


def local_actor_by_username(username: str) -> Actor | None:
    return Actor.objects.filter(local=True, username__iexact=username, deleted=False).first()
