"""Error pages: JSON for the client API and ActivityPub callers, a friendly page in the site's design for people."""

import logging

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_lazy

from .activitystreams import wants_activity_json
from .http import json_error
from .protocol.errors import WordedError

log = logging.getLogger(__name__)
# For a form whose value holds a NUL, which views that read values themselves say (PostgreSQL stores none, and answers
# a query with one with an error); Django's form fields say their own at the field.
NUL_IN_FORM = gettext_lazy(
    "The form contains a NUL character (an invisible control character), which cannot be stored. "
    "Type the text again and send the form once more."
)


class LocalizedError(WordedError):
    """An error a service raises for its caller to show, worded twice: `str(error)` is the English sentence (what the
    client API answers, logs keep and tests read, in whatever language is active), `localized()` the same sentence in
    the active language, for a web page. The message is an English msgid (marked with `gettext_noop` where it is
    raised, so the catalogs can carry it) with named %-parameters for the details (a limit, a URL), which are filled
    in after translating and stay as they are; a parameter that is itself such an error (the fetch failure inside
    "Could not fetch …") is said in the same language."""

    def localized(self) -> str:
        return _said(self.message, self.params)


def localized(error: BaseException) -> str:
    """What a web page says for an error worded for people (a service's LocalizedError, the protocol core's FetchError
    and VocabError) in the page's language; any other as it is."""
    return _said(error.message, error.params) if isinstance(error, WordedError) else str(error)


def _said(message: str, params: dict) -> str:
    """The message in the active language with its parameters filled in; a parameter that is itself an error (the
    fetch failure inside "Could not fetch …") is said in the active language too."""
    translated = gettext(message) if message else ""  # gettext("") is the catalog's header
    if not params:
        return translated
    return translated % {
        name: localized(value) if isinstance(value, BaseException) else value for name, value in params.items()
    }


def error_record(error: BaseException) -> str:
    """An error as text to store, for a page to say later in its reader's language (error_said): a worded error as
    JSON of its message and parameters (an error among them alike), any other as its text. A worker that stores
    why a poll failed has no reader's language; the sentence is made when a page shows it."""
    return orjson.dumps(_record(error)).decode() if isinstance(error, WordedError) else str(error)


# A detail another server chose (a content type, a parser's complaint) is kept to this many characters.
RECORD_DETAIL_MAX = 500


def _record(error: WordedError) -> dict:
    return {"message": error.message, "params": {
        name: _record(value) if isinstance(value, WordedError)
        else value if isinstance(value, int) else str(value)[:RECORD_DETAIL_MAX]
        for name, value in error.params.items()
    }}


def error_said(stored: str) -> str:
    """A stored error (error_record) in the active language; text that is no such record as it is (an error that
    was not worded, a row written before records)."""
    if not stored.startswith("{"):
        return stored
    try:
        return localized(_worded(orjson.loads(stored)))
    except (orjson.JSONDecodeError, AttributeError, TypeError, KeyError, ValueError):
        return stored


def _worded(record: dict) -> WordedError:
    params = record["params"]
    return WordedError(record["message"], **{
        name: _worded(value) if isinstance(value, dict) else value for name, value in params.items()
    })


JSON_PATHS = ("/api/", "/oauth/", "/.well-known/", "/nodeinfo/", "/inbox")


def _wants_json(request) -> bool:
    return request.path.startswith(JSON_PATHS) or wants_activity_json(request.headers.get("Accept", ""))


NUL_IN_ADDRESS = "The address contains a NUL character (%00)."


def nul_refusal(path: str, accept: str, accept_language: str, cookie: str) -> tuple[str, bytes]:
    """(content type, body) of the 400 the fronts answer for an address with a NUL, before any middleware runs:
    JSON for apps and servers (the API's paths, an ActivityStreams Accept), else a page in the language the site
    would speak to the visitor (their language cookie, then Accept-Language)."""
    if path.startswith(JSON_PATHS) or wants_activity_json(accept) or "application/json" in accept:
        return "application/json", json_error(NUL_IN_ADDRESS, status=400).content
    request = HttpRequest()
    request.META = {"HTTP_ACCEPT_LANGUAGE": accept_language}
    request.COOKIES = parse_cookie(cookie)
    language = translation.get_language_from_request(request)
    try:
        with translation.override(language):
            body = standalone_page("community/bad_address.html", language=language)
    except Exception:  # an error page must never fail: plain words in both languages
        log.exception("the page for an address with a NUL could not be rendered")
        body = f"<!doctype html><title>400</title><p>Die Adresse enthält ein NUL-Zeichen (%00). / {NUL_IN_ADDRESS}</p>"
    return "text/html; charset=utf-8", body.encode()


def _json(status: int, message: str) -> HttpResponse:
    response = json_error(message, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(request, exception=None) -> HttpResponse:
    if _wants_json(request):
        return _json(404, "Record not found" if request.path.startswith("/api/") else "Not found.")
    message = exception.args[0] if exception is not None and exception.args and isinstance(exception.args[0], str) else ""
    return render(request, "community/404.html", {"message": message}, status=404)


def forbidden(request, exception=None) -> HttpResponse:
    if _wants_json(request):
        return _json(403, "This action is not allowed.")
    return render(request, "community/not_allowed.html", {}, status=403)


def server_error(request) -> HttpResponse:
    """The 500 page. Something already failed (maybe the database), so the page needs no context processor, no
    query and no session: only the language the request was in and the site's name."""
    if _wants_json(request):
        return _json(500, "Something went wrong on this server; the error was logged.")
    try:
        body = standalone_page("community/500.html", language=get_language() or settings.LANGUAGE_CODE)
    except Exception:  # the error page itself must never fail: fall back to plain words
        log.exception("the 500 page could not be rendered")
        body = "<!doctype html><title>Fehler</title><h1>Ein Fehler ist aufgetreten / Something went wrong</h1>"
    return HttpResponse(body, status=500, content_type="text/html; charset=utf-8")


def standalone_page(template: str, *, language: str, **context) -> str:
    """A page on community/_standalone.html: it needs no request context (no session, user or query), only the
    language, which the caller knows (the 500 page, and the 429 page that answers before the locale middleware)."""
    return loader.get_template(template).render({"site_name": settings.FEDINODE_NAME, "LANGUAGE_CODE": language,
                                                 **context})


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: most often an old tab or blocked cookies. Say what to do."""
    if _wants_json(request):
        return _json(403, "CSRF verification failed.")
    log.info("CSRF failure on %s: %s", request.path, reason)
    return render(request, "community/csrf_failure.html", {"no_cookie": "CSRF cookie" in reason}, status=403)
