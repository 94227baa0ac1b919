"""gzip for what anyone may read: public pages, feeds, the map's GeoJSON (a feed page shrinks ~6x).

BREACH reads secrets out of compressed responses that also reflect attacker-chosen input. So a response is
compressed only when it carries no secret: no session (signed-in pages show e-mail addresses and buttons), no
Authorization header (the client API), and no CSRF token rendered into it. Static files are compressed ahead of time by
whitenoise (settings.STORAGES)."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = (
    "text/html", "text/plain", "text/calendar", "application/xml", "application/rss+xml", "application/atom+xml",
    "application/geo+json",
)


def compressible(request, response) -> bool:
    """True for a public text response with no secret in it (see the module's note)."""
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in COMPRESSED_TYPES:
        return False
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if settings.CSRF_COOKIE_NAME in response.cookies or (
        not response.streaming and b'name="csrfmiddlewaretoken"' in response.content
    ):
        return False  # a form with a CSRF token (its flag is reset by csrf_protect before we see the response)
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not compressible(request, response):
            return response
        return super().process_response(request, response)
