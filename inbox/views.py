"""The shared inbox and the personal inboxes: verify in the request, store, answer 202."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from actors.services.local import local_actor_by_username
from fediverse_node.http import json_error, json_response

from .services import Refusal, inbox_receive


def _receive(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return json_error("The inbox takes POST requests with signed activities.", status=405)
    length = request.META.get("CONTENT_LENGTH")
    from django.conf import settings

    if length and length.isdigit() and int(length) > settings.FEDINODE_INBOX_MAX_BYTES:
        return json_error(f"The body is larger than {settings.FEDINODE_INBOX_MAX_BYTES} bytes.", status=413)
    try:
        inbox_receive(
            method=request.method, url=request.build_absolute_uri(), headers=request.headers, body=request.body
        )
    except Refusal as refusal:
        return json_error(refusal.message, status=refusal.status)
    return json_response({}, status=202)


@csrf_exempt
def shared_inbox(request: HttpRequest) -> HttpResponse:
    return _receive(request)


@csrf_exempt
def actor_inbox(request: HttpRequest, username: str) -> HttpResponse:
    if local_actor_by_username(username) is None:
        return json_error(f"No actor named {username!r} here.", status=404)
    return _receive(request)
