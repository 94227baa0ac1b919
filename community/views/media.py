"""The media proxy's one page: a remote image, from this site (community/mediaproxy.py)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..mediaproxy import ProxyError, placeholder_bytes, proxy_image_get, proxy_token_open

CACHED_FOR = 7 * 24 * 3600  # a token stands for one remote URL, whose image does not change
FAILED_FOR = 600


def _image_headers(response: HttpResponse, *, max_age: int) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["X-Content-Type-Options"] = "nosniff"
    # opened on its own, the image is an inert document: no scripts, no styles, nothing loaded from elsewhere
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_safe
def media_proxy(request, token: str):
    opened = proxy_token_open(token)
    if opened is None:
        response = HttpResponse(_("Dieses Bild gibt es hier nicht."), content_type="text/plain; charset=utf-8",
                                status=404)
        response["X-Content-Type-Options"] = "nosniff"
        return response
    url, kind = opened
    try:
        image = proxy_image_get(url=url, kind=kind)
    except ProxyError as error:
        # the browser shows the neutral placeholder where the picture would be; the status says it is not it
        response = HttpResponse(placeholder_bytes(), content_type="image/svg+xml", status=error.status)
        return _image_headers(response, max_age=FAILED_FOR)
    return _image_headers(HttpResponse(image.body, content_type=image.media_type), max_age=CACHED_FOR)
