"""Who opens a stream: the token checked as the REST API checks it (clientapi.auth), read in a thread."""

import asyncio
from dataclasses import dataclass

from django.db import close_old_connections
from django.http import HttpRequest, QueryDict

from actors.services.blocks import hidden_actor_ids
from clientapi.auth import caller_for

from .streams import StreamError


@dataclass(frozen=True)
class StreamAccess:
    actor_id: int | None
    scopes: frozenset[str]
    hidden: set[int]  # authors whose posts this reader does not see (blocked, blocking, muted)
    protocol: str = ""  # the token as the WebSocket subprotocol, to be named back when accepting


def _token_of(headers: dict[str, str], query: dict[str, str]) -> tuple[str, str]:
    """The token and, when it came as the WebSocket subprotocol, that protocol's text."""
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip(), ""
    protocol = headers.get("sec-websocket-protocol", "").split(",")[0].strip()
    if protocol:
        return protocol, protocol
    return query.get("access_token", ""), ""


def _check(token: str, protocol: str) -> StreamAccess:
    close_old_connections()  # a kept connection the database dropped is replaced, as before a request
    request = HttpRequest()
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    request.GET = QueryDict()
    caller = caller_for(request)
    if caller.invalid_token:
        raise StreamError("Invalid access token", 401)
    actor = caller.actor
    return StreamAccess(
        actor_id=actor.id if actor else None, scopes=caller.scopes,
        hidden=hidden_actor_ids(actor) if actor else set(), protocol=protocol,
    )


async def access_for(*, headers: dict[str, str], query: dict[str, str]) -> StreamAccess:
    """The reader of a new stream; no token reads as anonymous (public streams only); a bad one is refused."""
    token, protocol = _token_of(headers, query)
    if not token:
        return StreamAccess(actor_id=None, scopes=frozenset(), hidden=set())
    return await asyncio.to_thread(_check, token, protocol)
