"""Who is calling: the bearer token, its user's actor and its scopes."""

import hashlib
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from actors.models import Actor

from .scopes import scope_allows

__all__ = ["Caller", "caller_for", "scope_allows"]
TOKEN_FIELDS = ("id", "expires", "scope", "user_id", "application_id", "user__is_active")


@dataclass
class Caller:
    token_id: int | None = None
    application_id: int | None = None
    actor: Actor | None = None
    scopes: frozenset[str] = frozenset()
    invalid_token: bool = False

    @property
    def has_token(self) -> bool:
        return self.token_id is not None

    @property
    def application(self) -> Application | None:
        return Application.objects.filter(id=self.application_id).first() if self.application_id else None


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
        # plain columns, no select_related: this runs on every API request
        row = AccessToken.objects.filter(token_checksum=checksum).values_list(*TOKEN_FIELDS).first()
        if row is None or row[1] <= timezone.now():
            caller.invalid_token = True
        else:
            token_id, _expires, scope, user_id, application_id, user_active = row
            actor = Actor.objects.filter(user_id=user_id).first() if user_id else None
            if user_id and (actor is None or actor.suspended or not user_active):
                caller.invalid_token = True
            else:
                caller = Caller(token_id=token_id, application_id=application_id, actor=actor,
                                scopes=frozenset(scope.split()))
    request._api_caller = caller
    return caller
