"""The map page and its GeoJSON: parse the filters, call the selectors, render."""

import hashlib

import orjson
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from community.cache import anonymous_page_cache
from community.models import FIELDS_OF_WORK, FederalState
from community.places import RADII

from .cache import TIMEOUT, geojson_key
from .selectors import map_feature_collection, map_profiles, members_by_state, state_counts

FIELD_SLUGS = {slug for slug, _ in FIELDS_OF_WORK}


def map_filters(request) -> dict:
    """The directory's filters (q, field, state, city, km); unknown values are dropped, not errors."""
    field, state = request.GET.get("field", ""), request.GET.get("state", "")
    return {
        "text": request.GET.get("q", "").strip()[:100],
        "field": field if field in FIELD_SLUGS else "",
        "state": state if state in FederalState.values else "",
        "city": request.GET.get("city", "").strip()[:100],
        "km": int(request.GET["km"]) if request.GET.get("km", "") in {str(r) for r in RADII} else 0,
    }


@require_GET
def map_geojson(request):
    filters = map_filters(request)
    # field names are translated: the language is part of the key
    key = geojson_key({**filters, "lang": get_language() or ""})
    cached = cache.get(key)
    if cached is None:
        body = orjson.dumps(map_feature_collection(**filters))
        cached = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        cache.set(key, cached, TIMEOUT)
    body, etag = cached
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_GET
@anonymous_page_cache  # the page lists every member: ~1–2 s to render with 5,000 of them
def map_page(request):
    filters = map_filters(request)
    profiles = list(map_profiles(**filters))
    return render(request, "mapview/map.html", {
        "nav": "map",
        "q": filters["text"], "field": filters["field"], "state": filters["state"], "city": filters["city"],
        "km": filters["km"], "radii": RADII,
        "fields_of_work": FIELDS_OF_WORK, "states": FederalState.choices,
        "groups": members_by_state(profiles), "counts": state_counts(profiles), "total": len(profiles),
        "tiles": settings.FEDINODE_MAP_TILES, "attribution": settings.FEDINODE_MAP_ATTRIBUTION,
    })
