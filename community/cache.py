"""Whole pages for anonymous visitors, kept for a few seconds.

Most visitors are anonymous and see the same bytes; rendering the feed costs ~13 ms of CPU, a cached copy well
under one. Pages are keyed on the full path and the language, kept FEDINODE_PAGE_CACHE_SECONDS (default 15): a new
post shows up that much later, which a public website can bear. Signed-in people (staff buttons, messages) always
get a fresh page. The embedded default caches in each process; with REDIS_URL the copies are shared.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language


def _key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"page:{get_language()}:{digest}"


def _cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def anonymous_page_cache(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.FEDINODE_PAGE_CACHE_SECONDS
        if not seconds or not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            status, content_type, body = stored
            response = HttpResponse(body, status=status, content_type=content_type)
            response["Vary"] = "Cookie, Accept-Language"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.status_code, response["Content-Type"], response.content), seconds)
        return response

    return wrapper
