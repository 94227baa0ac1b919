"""Rate limits: a fixed window per key in the cache (per process on the embedded default, shared with REDIS_URL).

Rules (requests per window), each answered with 429 and Retry-After when exceeded:
- failed log-ins (the website's and the admin's): per client address and per account, against password guessing
  (per account too, so that guessing from many addresses is slowed, and one office's shared address is not what
  locks out its colleagues);
- token requests: per client address;
- the client API: per access token (or per address without one), as Mastodon allows 300 per 5 minutes;
- membership applications, password-reset e-mails: per address (the contact form counts in its view, to
  answer at the form);
- inbox POSTs: per client address, generous (a busy peer delivers in bursts), in inbox/fastpath.py, counted in
  each web process (retry_after_here: the check runs on the inbox front's event loop);
- Content-Security-Policy reports: per client address (each one is a line in the log);
- a member feed's "check now" (community/views/member_feeds.py): per feed.
FEDINODE_RATE_LIMITS=0 turns them off (benchmarks).

Behind a reverse proxy every request comes from the proxy's address. FEDINODE_TRUSTED_PROXIES=N (the shipped
docker-compose set-up has one, Caddy) takes the client's address from X-Forwarded-For: the hop the N-th proxy from
us appended, counted from the right. The hops to the left of it are whatever the client sent, so never the first.
"""

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from .errors import standalone_page
from .http import json_error


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: int  # seconds


LOGIN = Rule("login", 20, 300)  # failed log-ins per client address
LOGIN_ACCOUNT = Rule("login-account", 10, 900)  # failed log-ins per account name, from anywhere
LOGIN_PATHS = ("/auth/login", "/admin/login")
TOKEN = Rule("token", 30, 300)
API = Rule("api", 300, 300)
APPLY = Rule("apply", 10, 3600)
# the contact form and password-reset e-mails: per address, so nobody fills the team's inbox or someone else's
CONTACT = Rule("contact", 5, 3600)
PASSWORD_RESET = Rule("password-reset", 5, 3600)
INBOX = Rule("inbox", 12000, 60)
# a browser reports each violation of a page once; a flood from one address is somebody filling the log
CSP_REPORT = Rule("csp-report", 60, 60)


def _clock() -> float:
    return time.time()


def _window(rule: Rule) -> tuple[int, int]:
    now = int(_clock())
    return now, now - now % rule.window


_redis_clients: dict[int, Any] = {}  # by process id: a client made before a fork is not the child's


def _redis():
    """This process's Redis client for the counts when the cache is on Redis, else None. Through Django's cache a
    count took three round trips (`add`; `incr`, which first asks whether the key exists); here it takes one."""
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return None
    client = _redis_clients.get(os.getpid())
    if client is None:
        import redis  # Django's Redis cache uses it too

        location = settings.CACHES["default"]["LOCATION"]
        # Django writes to the first of several servers (the others are read replicas): so do the counts
        leader = str(location).split(",")[0] if isinstance(location, str) else str(list(location)[0])
        client = _redis_clients[os.getpid()] = redis.Redis.from_url(leader.strip())
    return client


def _count(rule: Rule, key: str) -> tuple[int, int, int]:
    """Count one request: (requests in this window so far, now, the window's end)."""
    now, window_start = _window(rule)
    cache_key = f"rate:{rule.name}:{key}:{window_start}"
    client = _redis()
    if client is not None:
        # the cache's own key (its prefix and version), so that exhausted() reads the count with cache.get
        name = cache.make_key(cache_key)
        count, _ = client.pipeline(transaction=False).incr(name).expire(name, rule.window + 5).execute()
        return count, now, window_start + rule.window
    if cache.add(cache_key, 1, rule.window + 5):
        return 1, now, window_start + rule.window
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, rule.window + 5)
        count = 1
    return count, now, window_start + rule.window


def retry_after(rule: Rule, key: str) -> int | None:
    """Count one request; None if it is allowed, else the seconds until the window ends."""
    if not settings.FEDINODE_RATE_LIMITS:
        return None
    count, now, end = _count(rule, key)
    return None if count <= rule.limit else end - now


# Counts kept in this process, by rule name: (the window's start, {key: requests in it}).
_here: dict[str, tuple[int, dict[str, int]]] = {}


def retry_after_here(rule: Rule, key: str) -> int | None:
    """retry_after, counted in this process's memory instead of the cache: for a check made on an event loop (the
    inbox front, fediverse_node/rsgi.py), where a round trip to Redis would hold every other request of the loop
    while it waits. Each web process counts on its own, so a sender spread over several connections can get up to
    that many times the limit; for the inbox's generous flood guard that is the price of never waiting. Threads
    counting at once may miss a count now and then: a guard against floods, not a quota."""
    if not settings.FEDINODE_RATE_LIMITS:
        return None
    now, window_start = _window(rule)
    started, counts = _here.get(rule.name, (None, {}))
    if started != window_start:  # a new window: the last one's keys are dropped with it
        counts = {}
        _here[rule.name] = (window_start, counts)
    count = counts[key] = counts.get(key, 0) + 1
    return None if count <= rule.limit else window_start + rule.window - now


def _limit_headers(rule: Rule, count: int, end: int) -> dict[str, str]:
    """Mastodon's X-RateLimit-* headers: the limit, what is left of it, and when the window starts anew."""
    reset = datetime.fromtimestamp(end, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "X-RateLimit-Limit": str(rule.limit),
        "X-RateLimit-Remaining": str(max(0, rule.limit - count)),
        "X-RateLimit-Reset": reset,
    }


def exhausted(rule: Rule, key: str) -> int | None:
    """Without counting: the seconds until the window ends if `key` used up its `rule`, else None."""
    if not settings.FEDINODE_RATE_LIMITS:
        return None
    now, window_start = _window(rule)
    count = cache.get(f"rate:{rule.name}:{key}:{window_start}") or 0
    return window_start + rule.window - now if count >= rule.limit else None


def address_from(remote_addr: str, forwarded_for: str) -> str:
    """The client's address: REMOTE_ADDR, or behind FEDINODE_TRUSTED_PROXIES proxies the hop the farthest trusted
    proxy appended to X-Forwarded-For (counted from the right; what lies left of it the client chose)."""
    proxies = settings.FEDINODE_TRUSTED_PROXIES
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] if proxies else []
    if len(hops) < proxies or not hops:
        return remote_addr  # the request did not come through every proxy we were told of
    return hops[-proxies]


def client_address(request) -> str:
    return address_from(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""))


def _account_key(request) -> str:
    name = request.POST.get("username", "") if request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data") else ""
    return hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:24]


def _login_limits(request) -> list[tuple[Rule, str]]:
    return [(LOGIN, client_address(request)), (LOGIN_ACCOUNT, _account_key(request))]


def _rule_for(request) -> tuple[Rule, str] | None:
    path, method = request.path, request.method
    if method == "POST" and path.startswith("/oauth/token"):
        return TOKEN, client_address(request)
    if method == "POST" and path.startswith("/apply"):
        return APPLY, client_address(request)
    if method == "POST" and path.startswith("/auth/password-reset"):
        return PASSWORD_RESET, client_address(request)
    if method == "POST" and path == "/csp-report":
        return CSP_REPORT, client_address(request)
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
        if request.method == "POST" and request.path.startswith(LOGIN_PATHS):
            return self._login(request)
        found = _rule_for(request)
        if found is None or not settings.FEDINODE_RATE_LIMITS:
            return self.get_response(request)
        rule, key = found
        count, now, end = _count(rule, key)
        if count > rule.limit:
            response = _too_many(request, end - now)
        else:
            response = self.get_response(request)
        if rule is API:  # apps pace themselves by these (Mastodon sends them on every API answer)
            for name, value in _limit_headers(rule, count, end).items():
                response[name] = value
        return response

    def _login(self, request):
        """Refused while the address or the account used up its failures; a failure (the form shown again with
        its error, 200) counts against both, a success (a redirect) against neither."""
        limits = _login_limits(request)
        waits = [wait for rule, key in limits if (wait := exhausted(rule, key)) is not None]
        if waits:
            return _too_many(request, max(waits))
        response = self.get_response(request)
        if response.status_code == 200:
            for rule, key in limits:
                retry_after(rule, key)
        return response


def _too_many_page(request, wait: int) -> str:
    """The page for people, in the language the site would speak to them (this middleware runs before the locale
    middleware, so it is read from the request here); no session, user or query is needed to render it."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        return standalone_page("community/too_many_requests.html", language=language, wait=wait)


def _too_many(request, wait: int) -> HttpResponse:
    message = f"Too many requests; try again in {wait} seconds."
    if request.path.startswith(("/api/", "/oauth/")):
        response = json_error(message, status=429)
    else:
        response = HttpResponse(_too_many_page(request, wait), status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response
