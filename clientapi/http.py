"""The client API's plumbing: routes with an optional trailing slash, parameters, JSON answers, CORS, paging.

Every answer is `application/json` with a body (masto.js fails on anything else), errors are Mastodon's
`{"error": "..."}`, and browser clients may call every route (CORS, with `Link` exposed for paging).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from fediverse_node.protocol.vocab.values import document_holds_nul, holds_nul

from .auth import Caller, caller_for, scope_allows

PUBLIC, OPTIONAL, USER, APP = "public", "optional", "user", "app"
TRUE_WORDS = {"1", "true", "on", "yes"}
# No text of ours holds one, and PostgreSQL refuses one in a query or a row (the front refuses %00 in an address)
NUL_REFUSAL = "Validation failed: a value contains a NUL character (\\u0000)"
MAX_OFFSET = 10_000
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Expose-Headers": "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining",
    "Access-Control-Max-Age": "86400",
}


class ApiError(Exception):
    """An answer other than success: HTTP status and a message a person understands."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def not_found(what: str = "Record") -> ApiError:
    return ApiError(404, f"{what} not found")


def json_answer(data, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(orjson.dumps({} if data is None else data), status=status, content_type="application/json")
    for name, value in {**CORS_HEADERS, **(headers or {})}.items():
        response[name] = value
    return response


@dataclass
class Answer:
    """A handler's result when it needs more than a body: a status or headers (Link)."""

    data: object
    status: int = 200
    headers: dict = field(default_factory=dict)


class Params:
    """Query and body parameters of any encoding clients use: form (`k[]` arrays), JSON or multipart."""

    def __init__(self, request: HttpRequest):
        self.query = request.GET
        self.files: dict = {}
        self.json: dict = {}
        self.form = QueryDict()
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            self._parse_body(request)

    def _parse_body(self, request: HttpRequest) -> None:
        content_type = request.content_type or ""
        if content_type == "application/json":
            if not request.body.strip():
                return
            try:
                parsed = orjson.loads(request.body)
            except orjson.JSONDecodeError as error:
                raise ApiError(400, f"The request body is not valid JSON: {error}") from None
            if not isinstance(parsed, dict):
                raise ApiError(400, "The request body must be a JSON object.")
            if document_holds_nul(request.body, parsed):
                raise ApiError(422, NUL_REFUSAL)
            self.json = parsed
            return
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            # Django parses bodies of POST only; PUT/PATCH forms (Tusky, Mastodon.py) need the same treatment.
            method = request.method
            try:
                if method != "POST":
                    request.method = "POST"
                    request._load_post_and_files()
                self.form, self.files = request.POST, request.FILES
                if any("\x00" in name or holds_nul(values) for name, values in self.form.lists()):
                    raise ApiError(422, NUL_REFUSAL)
            except MultiPartParserError as error:
                raise ApiError(400, f"The multipart body could not be read: {error}") from None
            finally:
                request.method = method

    def raw(self, name: str):
        """The value as sent (JSON types kept), from the body first, then the query string."""
        if name in self.json:
            return self.json[name]
        for source in (self.form, self.query):
            if name in source:
                return source[name]
        return None

    def str(self, name: str, default: str = "") -> str:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, list | dict):
            raise ApiError(422, f"Validation failed: {name} must be a string")
        return str(value)

    def optional_str(self, name: builtins.str) -> builtins.str | None:
        return None if self.raw(name) is None else self.str(name)

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in TRUE_WORDS

    def optional_bool(self, name: builtins.str) -> builtins.bool | None:
        return None if self.raw(name) in (None, "") else self.bool(name)

    def int(self, name: builtins.str, default: builtins.int | None = None) -> builtins.int | None:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(422, f"Validation failed: {name} must be a whole number") from None

    def offset(self) -> builtins.int | None:
        """A search's `offset`: 0 or more; None past MAX_OFFSET, where nothing more is listed (a deeper page would
        have the database skip ever more rows, and a number past 64 bits was a 500 on PostgreSQL)."""
        value = self.int("offset", 0) or 0
        if value < 0:
            raise ApiError(422, "Validation failed: offset must be 0 or more")
        return None if value > MAX_OFFSET else value

    def list(self, name: builtins.str) -> builtins.list:
        """`name[]=a&name[]=b`, `name=a&name=b` or a JSON array: always a list."""
        for key in (name, f"{name}[]"):
            if key in self.json:
                value = self.json[key]
                return value if isinstance(value, list) else [value]
        for source in (self.form, self.query):
            for key in (f"{name}[]", name):
                if key in source:
                    return source.getlist(key)
        return []

    def dict_items(self, name: builtins.str) -> builtins.list[dict]:
        """Nested objects: JSON arrays/objects or form keys `name[0][field]` / `name[][field]`."""
        value = self.json.get(name)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
        if isinstance(value, dict):
            return [value[k] for k in sorted(value, key=_index_key) if isinstance(value[k], dict)]
        found: dict[str, dict] = {}
        pattern = re.compile(rf"^{re.escape(name)}\[(\w*)\]\[(\w+)\]$")
        for source in (self.form, self.query):
            for key in source:
                match = pattern.match(key)
                if match:
                    found.setdefault(match.group(1), {})[match.group(2)] = source[key]
        return [found[k] for k in sorted(found, key=_index_key)]


def _index_key(key: str):
    return (0, int(key)) if key.isdigit() else (1, key)


@dataclass
class Handler:
    func: Callable
    auth: str
    scope: str | None


def endpoint(*, auth: str = USER, scope: str | None = None):
    """Mark a view function as an API handler: who may call it and which OAuth scope it needs."""

    def wrap(func: Callable) -> Handler:
        return Handler(func=func, auth=auth, scope=scope)

    return wrap


def _authorize(handler: Handler, request: HttpRequest) -> Caller:
    caller = caller_for(request)
    if caller.invalid_token:
        raise ApiError(401, "The access token is invalid")
    if handler.auth == PUBLIC:
        return caller
    if not caller.has_token:
        if handler.auth == OPTIONAL:
            return caller
        raise ApiError(401, "The access token is invalid")
    if handler.scope and not scope_allows(caller.scopes, handler.scope):
        raise ApiError(403, "This action is outside the authorized scopes")
    if handler.auth == USER and caller.actor is None:
        raise ApiError(422, "This method requires an authenticated user")
    return caller


def _dispatch(methods: dict[str, Handler]):
    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return json_answer({}, headers={"Allow": ", ".join(sorted(methods))})
        handler = methods.get(request.method or "") or (methods.get("GET") if request.method == "HEAD" else None)
        if handler is None:
            return json_answer({"error": f"{request.method} is not allowed here"}, status=405)
        try:
            caller = _authorize(handler, request)
            result = handler.func(request, caller, Params(request), **kwargs)
        except ApiError as error:
            return json_answer({"error": error.message}, status=error.status)
        if isinstance(result, HttpResponse):
            return result
        if isinstance(result, Answer):
            return json_answer(result.data, status=result.status, headers=result.headers)
        return json_answer(result)

    return view


def api_route(pattern: str, **methods: Handler):
    """A route answering at `pattern` with or without a trailing slash; `<name>` captures one path segment."""
    regex = re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", pattern.strip("/"))
    return re_path(rf"^{regex}/?$", _dispatch({m.upper(): h for m, h in methods.items()}))
