"""Content-Security-Policy on every answer, and the OAuth pages' exceptions to it.

The policy is strict: scripts, styles, fonts and frames only from our own static files, no inline script or style,
nothing may frame us, `<base>` and plugins are off. A stored script that slipped through every other defence (a
`javascript:` link, an `on*=` attribute) does not run. Images come from this site only (remote avatars and media
through our media proxy, so a visitor's browser contacts no other server), and from the operator's map tile server
when one is set. Browsers report violations to /csp-report (logged, see
`csp_report`), which the browser tests read.

The OAuth log-in and consent pages differ in two ways: the consent form's answer is a redirect to the app's own
redirect URI (any scheme), which `form-action 'self'` would block, and popup-based apps (Phanpy) lose their
`window.opener` under Django's default `Cross-Origin-Opener-Policy: same-origin`, so they get `unsafe-none`.
"""

import functools
import logging

import orjson
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger("fediverse_node.csp")

REPORT_PATH = "/csp-report"
REPORT_MAX_BYTES = 16 * 1024
# The pages a popup-based OAuth log-in passes through: the consent page and the log-in page it sends people to.
OAUTH_PREFIXES = ("/oauth/", "/auth/login/")


def tile_source(tiles: str) -> str:
    """The CSP source of a Leaflet tile URL template ("https://{s}.tile.example.org/{z}/{x}/{y}.png" ->
    "https://*.tile.example.org"); "" when none is set or it is not http(s)."""
    scheme, _, rest = tiles.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("https", "http") or not host:
        return ""
    labels = ["*" if "{" in label else label for label in host.split(".")]
    if "*" in labels[1:]:  # CSP allows a wildcard only as the first label
        return ""
    return f"{scheme}://{'.'.join(labels)}"


def _policy(*, form_action: bool) -> str:
    images = " ".join(filter(None, ["'self' data:", tile_source(settings.FEDINODE_MAP_TILES)]))
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        *(["form-action 'self'"] if form_action else []),
        f"report-uri {REPORT_PATH}",
    ]
    return "; ".join(directives)


def document_headers() -> tuple[tuple[str, str], ...]:
    """What the middleware stack adds to every answer outside the OAuth pages (the policy; framing, referrer and
    opener rules), for the answers the fronts serve before Django runs (cached discovery documents and posts): the
    same headers whichever path answers a URL."""
    return _document_headers(settings.FEDINODE_MAP_TILES)


def transport_headers_wsgi(environ: dict) -> tuple[tuple[str, str], ...]:
    """HSTS for an answer the WSGI front gives without Django (see _secure)."""
    rule = _rule if _rule is not None else _rule_make()
    if not rule:
        return ()
    meta_name, _, value, hsts = rule
    return hsts if _secure(environ.get(meta_name) if meta_name else None, value, environ.get("wsgi.url_scheme")) else ()


def transport_headers_rsgi(headers, scheme: str) -> tuple[tuple[str, str], ...]:
    """HSTS for an answer the RSGI front gives without Django (see _secure); `headers` as RSGI has them."""
    rule = _rule if _rule is not None else _rule_make()
    if not rule:
        return ()
    _, header_name, value, hsts = rule
    return hsts if _secure(headers.get(header_name) if header_name else None, value, scheme) else ()


def _secure(forwarded: str | None, value: str, scheme: str | None) -> bool:
    """Django's own rule (`request.is_secure()`, on which SecurityMiddleware sends HSTS): the proxy's header when
    SECURE_PROXY_SSL_HEADER names one and it was sent (its first value), else the request's own scheme."""
    if forwarded is not None:
        return forwarded.split(",", 1)[0].strip() == value
    return scheme == "https"


# (the proxy header's WSGI name, its HTTP name, its secure value, the HSTS header) from the settings, or () without
# HSTS; made on first use and again after a setting changes (tests)
_rule: tuple | None = None


def _rule_make() -> tuple:
    global _rule
    seconds, proxy = settings.SECURE_HSTS_SECONDS, settings.SECURE_PROXY_SSL_HEADER
    if not seconds:
        _rule = ()
        return _rule
    hsts = f"max-age={seconds}" + ("; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else "") + (
        "; preload" if settings.SECURE_HSTS_PRELOAD else "")
    meta_name, value = proxy if proxy else ("", "")
    header_name = meta_name.removeprefix("HTTP_").replace("_", "-").lower()
    _rule = (meta_name, header_name, value, (("Strict-Transport-Security", hsts),))
    return _rule


@receiver(setting_changed)
def _rule_forget(**_kwargs) -> None:
    global _rule
    _rule = None


@functools.lru_cache(maxsize=4)
def _document_headers(_tiles: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Security-Policy", _policy(form_action=True)),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
        ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
        ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY),
    )


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that has none of its own (computed once per process)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.site_policy = _policy(form_action=True)
        self.oauth_policy = _policy(form_action=False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        oauth = request.path.startswith(OAUTH_PREFIXES)
        response.headers.setdefault("Content-Security-Policy", self.oauth_policy if oauth else self.site_policy)
        if oauth:
            # Set before Django's SecurityMiddleware (outermost) would add its default "same-origin".
            response.headers.setdefault("Cross-Origin-Opener-Policy", "unsafe-none")
        return response


@csrf_exempt
def csp_report(request: HttpRequest) -> HttpResponse:
    """POST /csp-report: a browser's violation report, logged as a warning (at most 16 KiB read); answers 204."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = orjson.loads(request.body).get("csp-report", {})
    except (orjson.JSONDecodeError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    log.warning(
        "CSP violation on %s: %s blocked %s",
        str(report.get("document-uri", ""))[:300], str(report.get("violated-directive", ""))[:100],
        str(report.get("blocked-uri", ""))[:300],
    )
    return HttpResponse(status=204)
