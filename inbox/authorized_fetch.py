"""Authorized fetch ("secure mode", FEDINODE_AUTHORIZED_FETCH=1), as Mastodon and GoToSocial offer it: actor
documents, posts and collections are served as ActivityStreams only to requests signed by a server we do not block,
so a blocked server cannot read what it is no longer sent. The website (HTML) stays public, as do WebFinger,
NodeInfo and the instance actor: peers fetch its key to verify our own signed requests, which would otherwise need
a signature to be fetched in turn."""

import re

from django.conf import settings

from actors.services.domains import domain_is_blocked
from actors.services.local import INSTANCE_ACTOR_USERNAME
from fediverse_node.activitystreams import wants_activity_json
from fediverse_node.http import json_error
from fediverse_node.protocol.signatures import SignatureError, signature_key_id

from .services import Refusal, signer_verify

GUARDED_PREFIX = "/actors/"
OPEN_PATHS = {f"/actors/{INSTANCE_ACTOR_USERNAME}"}
# Endpoints that answer ActivityStreams whatever the Accept header says (no HTML page of their own): guarded for
# every GET, or an unsigned request without the header would read them.
ACTIVITY_ONLY = re.compile(r"^/actors/[^/]+/(outbox|followers|following|posts/\d+/(activity|replies))/?$")


# A member's website profile answers with the actor document when asked for ActivityStreams (community/views).
PROFILE_PAGE = re.compile(r"^/members/[^/]+/$")


def _guarded(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    wants_activity = wants_activity_json(request.headers.get("Accept", ""))
    if PROFILE_PAGE.match(request.path):
        return wants_activity
    return (
        request.path.startswith(GUARDED_PREFIX)
        and request.path not in OPEN_PATHS
        and (ACTIVITY_ONLY.match(request.path) is not None or wants_activity)
    )


def fetch_signer_check(request) -> str:
    """The URI of the actor whose key signed this GET; raises Refusal (401 unsigned or bad, 403 blocked)."""
    try:
        key_id = signature_key_id(request.headers)
    except SignatureError:
        raise Refusal(401, "This server answers signed requests only (authorized fetch): sign the GET.") from None
    if domain_is_blocked(key_id):
        raise Refusal(403, "Your server is blocked here.")
    signer, suspended = signer_verify(
        method=request.method, url=request.build_absolute_uri(), headers=request.headers, body=b"", key_id=key_id,
    )
    if suspended or domain_is_blocked(signer):
        raise Refusal(403, "Your account or server is blocked here.")
    return signer


class AuthorizedFetchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.FEDINODE_AUTHORIZED_FETCH and _guarded(request):
            try:
                fetch_signer_check(request)
            except Refusal as refusal:
                response = json_error(refusal.message, status=refusal.status)
                response["Vary"] = "Accept, Signature"
                return response
            response = self.get_response(request)
            response["Vary"] = "Accept, Signature"
            response["Cache-Control"] = "private"  # a shared cache must not hand it to an unsigned request
            return response
        return self.get_response(request)
