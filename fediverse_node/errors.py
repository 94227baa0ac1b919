"""Error pages: JSON for the client API and ActivityPub callers, a short page for people."""

from django.http import HttpResponse

from .activitystreams import wants_activity_json
from .http import json_error


def _wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/oauth/", "/.well-known/", "/nodeinfo/", "/inbox")) or (
        wants_activity_json(request.headers.get("Accept", ""))
    )


def _answer(request, status: int, message: str) -> HttpResponse:
    if _wants_json(request):
        response = json_error(message, status=status)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    page = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{message}</p>"
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def not_found(request, exception=None) -> HttpResponse:
    return _answer(request, 404, "Record not found" if request.path.startswith("/api/") else "Not found.")


def server_error(request) -> HttpResponse:
    return _answer(request, 500, "Something went wrong on this server; the error was logged.")
