"""Rate limits: a fixed window per key in the cache (per process on the embedded default, shared with REDIS_URL).

Rules (requests per window), each answered with 429 and Retry-After when exceeded:
- log-in and token requests: per client address, against password guessing;
- the client API: per access token (or per address without one), as Mastodon allows 300 per 5 minutes;
- membership applications, password-reset e-mails: per address (the contact form counts in its view, to
  answer at the form);
- inbox POSTs: per client address, generous (a busy peer delivers in bursts), in inbox/fastpath.py.
FEDINODE_RATE_LIMITS=0 turns them off (benchmarks).
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from .http import json_error


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: int  # seconds


LOGIN = Rule("login", 20, 300)
TOKEN = Rule("token", 30, 300)
API = Rule("api", 300, 300)
APPLY = Rule("apply", 10, 3600)
# the contact form and password-reset e-mails: per address, so nobody fills the team's inbox or someone else's
CONTACT = Rule("contact", 5, 3600)
PASSWORD_RESET = Rule("password-reset", 5, 3600)
INBOX = Rule("inbox", 12000, 60)


def retry_after(rule: Rule, key: str) -> int | None:
    """Count one request; None if it is allowed, else the seconds until the window ends."""
    if not settings.FEDINODE_RATE_LIMITS:
        return None
    now = int(time.time())
    window_start = now - now % rule.window
    cache_key = f"rate:{rule.name}:{key}:{window_start}"
    if cache.add(cache_key, 1, rule.window + 5):
        return None
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, rule.window + 5)
        return None
    return None if count <= rule.limit else window_start + rule.window - now


def client_address(request) -> str:
    """The client's address (the proxy's X-Forwarded-For first hop when the node is told to trust it)."""
    if settings.FEDINODE_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _rule_for(request) -> tuple[Rule, str] | None:
    path, method = request.path, request.method
    if method == "POST" and path.startswith("/auth/login"):
        return LOGIN, client_address(request)
    if method == "POST" and path.startswith("/oauth/token"):
        return TOKEN, client_address(request)
    if method == "POST" and path.startswith("/apply"):
        return APPLY, client_address(request)
    if method == "POST" and path.startswith("/auth/password-reset"):
        return PASSWORD_RESET, client_address(request)
    if path.startswith("/api/"):
        token = request.META.get("HTTP_AUTHORIZATION", "")
        if token.startswith("Bearer "):
            return API, "token:" + hashlib.sha256(token.encode()).hexdigest()[:24]
        return API, client_address(request)
    return None


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rule = _rule_for(request)
        if rule is not None:
            wait = retry_after(*rule)
            if wait is not None:
                return _too_many(request, wait)
        return self.get_response(request)


def _too_many(request, wait: int) -> HttpResponse:
    message = f"Too many requests; try again in {wait} seconds."
    if request.path.startswith(("/api/", "/oauth/")):
        response = json_error(message, status=429)
    else:
        response = HttpResponse(
            f"<!doctype html><title>429</title><h1>Zu viele Anfragen</h1><p>{message}</p>", status=429,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(wait)
    return response
