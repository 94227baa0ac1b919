"""Who is calling: the bearer token, its user's actor and its scopes."""

import hashlib
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from actors.models import Actor

from .scopes import scope_allows

__all__ = ["Caller", "caller_for", "scope_allows"]


@dataclass
class Caller:
    token: AccessToken | None = None
    actor: Actor | None = None
    scopes: frozenset[str] = frozenset()
    invalid_token: bool = False


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    # Streaming and some web clients pass the token as a parameter.
    return request.GET.get("access_token") or None


def caller_for(request: HttpRequest) -> Caller:
    """The caller of an API request; a token that is unknown, expired or revoked marks it invalid."""
    if hasattr(request, "_api_caller"):
        return request._api_caller
    token_text = _bearer(request)
    caller = Caller()
    if token_text:
        checksum = hashlib.sha256(token_text.encode()).hexdigest()
        token = (
            AccessToken.objects.select_related("user__actor", "application")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is None or token.expires <= timezone.now():
            caller.invalid_token = True
        else:
            actor = getattr(token.user, "actor", None) if token.user_id else None
            if token.user_id and (actor is None or actor.suspended or not token.user.is_active):
                caller.invalid_token = True
            else:
                caller = Caller(token=token, actor=actor, scopes=frozenset(token.scope.split()))
    request._api_caller = caller
    return caller
