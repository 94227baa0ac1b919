"""Paged OrderedCollections (AS2 §5): the collection names its size and first page; pages link onwards."""

from collections.abc import Callable
from typing import TypeVar

from django.core.paginator import Paginator
from django.db.models import Model, QuerySet

from .activitystreams import AS_CONTEXT

PAGE_SIZE = 20

Item = TypeVar("Item", bound=Model)


def ordered_collection(
    *, collection_id: str, queryset: QuerySet[Item], page: str | None, render_item: Callable[[Item], object]
) -> dict:
    """The collection document when page is None, else the page asked for (1-based; out of range → empty)."""
    total = queryset.count()
    if page is None:
        document = {"@context": AS_CONTEXT, "id": collection_id, "type": "OrderedCollection", "totalItems": total}
        if total:
            document["first"] = f"{collection_id}?page=1"
            document["last"] = f"{collection_id}?page={(total - 1) // PAGE_SIZE + 1}"
        return document
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    paginator = Paginator(queryset, PAGE_SIZE, allow_empty_first_page=True)
    items = paginator.page(number).object_list if number <= paginator.num_pages else []
    document = {
        "@context": AS_CONTEXT,
        "id": f"{collection_id}?page={number}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "totalItems": total,
        "orderedItems": [render_item(item) for item in items],
    }
    if number < paginator.num_pages:
        document["next"] = f"{collection_id}?page={number + 1}"
    if number > 1:
        document["prev"] = f"{collection_id}?page={number - 1}"
    return document
