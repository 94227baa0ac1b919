"""Mastodon's id-based paging: limit, max_id, since_id, min_id, and the Link header that continues it."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from .http import Answer, Params

# ids are 64-bit integers in the database: a bound beyond that range means "all" or "none", as the ORM reads it
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


def page_limit(params: Params, *, default: int = 20, maximum: int = 40) -> int:
    return max(1, min(params.int("limit", default) or default, maximum))


def id_bound(value: int | None) -> int | None:
    return None if value is None else max(ID_MIN, min(value, ID_MAX))


def page_of(
    request: HttpRequest, params: Params, queryset: QuerySet, *, default: int = 20, maximum: int = 40,
    key: str = "id", key_of=None,
) -> tuple[list, dict]:
    """One page of rows (newest first by `key`) and the `Link` header pointing at the next and previous pages."""
    limit = page_limit(params, default=default, maximum=maximum)
    max_id, since_id, min_id = params.int("max_id"), params.int("since_id"), params.int("min_id")
    if max_id is not None:
        queryset = queryset.filter(**{f"{key}__lt": max_id})
    if since_id is not None:
        queryset = queryset.filter(**{f"{key}__gt": since_id})
    if min_id is not None:
        # min_id pages forward from a point: the oldest rows after it, returned newest first
        rows = list(queryset.filter(**{f"{key}__gt": min_id}).order_by(key)[:limit])[::-1]
    else:
        rows = list(queryset.order_by(f"-{key}")[:limit])
    key_of = key_of or (lambda row: getattr(row, key))
    return rows, link_header(request, [key_of(row) for row in rows])


def link_header(request: HttpRequest, ids: list) -> dict:
    if not ids:
        return {}
    base = f"{settings.FEDINODE_BASE_URL}{request.path}"
    keep = request.GET.copy()
    for name in ("max_id", "since_id", "min_id"):
        keep.pop(name, None)

    def url(**bound) -> str:
        query = keep.copy()
        for name, value in bound.items():
            query[name] = str(value)
        return f"{base}?{query.urlencode()}"

    links = [f'<{url(max_id=ids[-1])}>; rel="next"', f'<{url(min_id=ids[0])}>; rel="prev"']
    return {"Link": ", ".join(links)}


def paged_answer(request: HttpRequest, params: Params, queryset: QuerySet, render, **options) -> Answer:
    rows, headers = page_of(request, params, queryset, **options)
    return Answer(render(rows), headers=headers)
