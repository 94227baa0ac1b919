"""Error pages: JSON for the client API and ActivityPub callers, a short page for people."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

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
    if _wants_json(request):
        return _answer(request, 404, "Record not found" if request.path.startswith("/api/") else "Not found.")
    message = exception.args[0] if exception is not None and exception.args and isinstance(exception.args[0], str) else ""
    return render(request, "community/404.html", {"message": message}, status=404)


def server_error(request) -> HttpResponse:
    return _answer(request, 500, "Something went wrong on this server; the error was logged.")


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """A form without a valid CSRF token: our short page (Django's own has inline styles, which our CSP blocks)."""
    return _answer(request, 403, gettext(
        "This form was sent without a valid security token (it may be old, or come from another site). "
        "Please reload the page and try again."
    ))
