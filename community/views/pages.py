"""The public pages: directory, profiles, the community feed, hashtags, campaigns, the blog."""

import functools
from typing import Any, cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from actors.documents import actor_document
from fediverse_node.activitystreams import wants_activity_json
from fediverse_node.http import activity_response, json_error
from posts.models import Post, PostType

from ..cache import anonymous_page_cache
from ..cards import Card, cards_from_rows
from ..entries import entries_from_rows
from ..mediaproxy import AVATAR, absolute, proxied_url
from ..models import FIELDS_OF_WORK, Campaign, FederalState
from ..places import RADII
from ..pool import events_public
from ..selectors import (
    FEATURED_HASHTAG,
    DirectoryRows,
    actor_public_posts,
    blog_articles,
    campaign_participants,
    campaign_posts,
    directory_search,
    feed_card_rows,
    feed_posts,
    member_card_rows,
    older_than,
    organisation_without_profile,
    place_centre,
    post_for_page,
    post_replies,
    profile_by_handle,
    profile_for_page,
)

PAGE_SIZE = 20
FIELD_SLUGS = {slug for slug, _ in FIELDS_OF_WORK}


def _filters(request) -> dict:
    """The directory and feed filters from the query string; unknown values are dropped, not errors."""
    field = request.GET.get("field", "")
    state = request.GET.get("state", "")
    return {
        "field": field if field in FIELD_SLUGS else "",
        "state": state if state in FederalState.values else "",
    }


def _before(request) -> int | None:
    """The id the page goes on below (`?before=`); None for none, or one no id can be (a 64-bit integer)."""
    before = request.GET.get("before", "")
    return int(before) if before.isdigit() and len(before) <= 19 and int(before) < 2**63 else None


def older_page(request, posts) -> tuple[list[Post], int | None]:
    """Keyset paging of a list ordered by (-published, -id): a page is one range of the date index, whatever the
    list's size, and a post that arrived late under an old date has its place on the page of that date."""
    before = _before(request)
    if before is not None:
        posts = older_than(posts, before)
    page = list(posts[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None
    return page[:PAGE_SIZE], older


def older_cards(request, rows: list[tuple]) -> tuple[list[Card], int | None]:
    """older_page for a page read key first (community/cards.py): rows of CARD_COLUMNS, PAGE_SIZE + 1 at most."""
    older = rows[PAGE_SIZE - 1][0] if len(rows) > PAGE_SIZE else None
    return cards_from_rows(rows[:PAGE_SIZE], request.user), older


def og_image(actor) -> str:
    """The picture of a link preview (Open Graph, as a full URL): the logo, else the header image, else none."""
    return absolute(proxied_url(actor.icon_url, kind=AVATAR) or proxied_url(actor.image_url))


def _choices() -> dict:
    return {"fields_of_work": FIELDS_OF_WORK, "states": FederalState.choices}


@anonymous_page_cache
def directory(request):
    filters = _filters(request)
    text, city = request.GET.get("q", "").strip()[:100], request.GET.get("city", "").strip()[:100]
    km = int(request.GET["km"]) if request.GET.get("km", "") in {str(r) for r in RADII} else 0
    near, place_error = None, ""
    if km and not city:
        place_error = _("Für die Umkreissuche geben Sie bitte eine Postleitzahl oder einen Ort an.")
    elif km:
        near = place_centre(city)
        if near is None:
            place_error = _("„%(place)s“ finden wir nicht. Bitte geben Sie eine Postleitzahl an.") % {"place": city}
    if text or city or km:
        page = Paginator(directory_search(text=text, city=city, near=near, km=km, **filters), PAGE_SIZE).get_page(
            request.GET.get("page"))
    else:  # the directory as most visitors see it: read key first (community/entries.py)
        rows = cast(Any, DirectoryRows(**filters))  # a count() and slices: all a Paginator asks of it
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = cast(Any, entries_from_rows(list(page.object_list)))
    return render(request, "community/directory.html", {
        "nav": "directory", "page": page, "q": text, "city": city, "km": km, "radii": RADII,
        "place_error": place_error, **filters, **_choices(),
        "filtered": bool(text or city or filters["field"] or filters["state"]),
    })


def _actor_document_by_negotiation(view):
    """A member's profile URL asked for ActivityStreams answers with its actor document (a remote member's: a
    redirect to its own server), before the page cache: servers that accept only AS2 answers (Takahē) find our
    members by the URL people share."""

    @functools.wraps(view)
    def wrapper(request, handle: str):
        if not wants_activity_json(request.headers.get("Accept", "")):
            response = view(request, handle)
            patch_vary_headers(response, ["Accept"])
            return response
        member = profile_by_handle(handle)
        actor = member.actor if member is not None else organisation_without_profile(handle)
        if actor is None:
            return json_error(f"No member {handle!r} here.", status=404)
        if not actor.local:
            return redirect(actor.uri)
        return activity_response(actor_document(actor))  # the selectors leave suspended actors out

    return wrapper


def _post_object_by_negotiation(view):
    """A post's page asked for ActivityStreams redirects to the post's id, which answers with the object: a link
    copied from the browser finds the post from any server's search."""

    @functools.wraps(view)
    def wrapper(request, **kwargs):
        if not wants_activity_json(request.headers.get("Accept", "")):
            response = view(request, **kwargs)
            patch_vary_headers(response, ["Accept"])
            return response
        item = post_for_page(next(iter(kwargs.values())))
        if item is None:
            return json_error("No such post here.", status=404)
        return redirect(item.uri)

    return wrapper


@_actor_document_by_negotiation
@anonymous_page_cache
def profile(request, handle: str):
    posts: list[Post] | list[Card]
    found = profile_for_page(handle)
    member, fields = found if found is not None else (None, [])
    if member is None:
        actor = organisation_without_profile(handle)
        if actor is None:
            raise Http404(_("Diese Organisation gibt es hier nicht."))
        posts, older = older_page(request, actor_public_posts(actor))
    else:
        actor = member.actor
        rows = member_card_rows(author=actor, before=_before(request), limit=PAGE_SIZE + 1)
        posts, older = older_cards(request, rows)
    return render(request, "community/profile.html", {
        "nav": "directory", "member": member, "member_fields": fields, "actor": actor, "posts": posts,
        "older": older, "member_handle": actor.username if actor.local else actor.handle,
        "og_image": og_image(actor),
    })


@anonymous_page_cache
def feed(request):
    filters = _filters(request)
    hashtag = request.GET.get("tag", "").strip().lstrip("#")[:100]
    rows = feed_card_rows(hashtag=hashtag, before=_before(request), limit=PAGE_SIZE + 1, **filters)
    posts, older = older_cards(request, rows)
    return render(request, "community/feed.html", {
        "nav": "feed", "posts": posts, "older": older, "tag": hashtag, **filters, **_choices(),
        "featured": FEATURED_HASHTAG,
    })


@anonymous_page_cache
def hashtag(request, name: str):
    posts, older = older_page(request, feed_posts(hashtag=name))
    campaigns = Campaign.objects.filter(hashtag__iexact=name)
    return render(request, "community/hashtag.html", {
        "nav": "feed", "tag": name.lower(), "posts": posts, "older": older, "campaigns": campaigns,
    })


@anonymous_page_cache
def campaign(request, slug: str):
    item = get_object_or_404(Campaign, slug=slug)
    posts, older = older_page(request, campaign_posts(item))
    return render(request, "community/campaign.html", {
        "nav": "feed", "campaign": item, "posts": posts, "older": older,
        "participants": campaign_participants(item),
    })


@anonymous_page_cache
def blog(request):
    articles, older = older_page(request, blog_articles())
    return render(request, "community/blog.html", {"nav": "blog", "articles": articles, "older": older})


@_post_object_by_negotiation
@anonymous_page_cache
def article(request, article_id: int):
    item = blog_articles().filter(id=article_id, type=PostType.ARTICLE).prefetch_related("tags").first()
    if item is None:
        raise Http404(_("Diesen Artikel gibt es nicht."))
    return render(request, "community/article.html", {
        "nav": "blog", "article": item, "replies": post_replies(item),
    })


@_post_object_by_negotiation
@anonymous_page_cache
def post(request, post_id: int):
    """A post's own page in the site's design (its `url`): the post, its author, the replies from the Fediverse."""
    item = post_for_page(post_id)
    if item is None:
        raise Http404(_("Diesen Beitrag gibt es nicht (mehr)."))
    if item.boost_of_id:
        return redirect("community:post", item.boost_of_id)
    if item.type == PostType.ARTICLE and blog_articles().filter(id=item.id).exists():
        return redirect("community:article", item.id)
    if item.type == PostType.EVENT and events_public().filter(id=item.id).exists():
        return redirect("community:event", item.id)
    return render(request, "community/post.html", {
        "nav": "feed", "post": item, "replies": post_replies(item), "single": True,
    })


def remote_follow(request, handle: str):
    """Send a visitor to their own server to follow this member (Mastodon's authorize_interaction page)."""
    member = profile_by_handle(handle)
    if member is None:
        raise Http404(_("Diese Organisation gibt es hier nicht."))
    own = request.GET.get("handle", "").strip().lstrip("@")
    username, _at, domain = own.partition("@")
    if not username or not _valid_domain(domain):
        messages.error(request, _("Bitte geben Sie Ihre Adresse als @name@server.tld an."))
        return redirect("community:profile", handle)
    target = quote(member.actor.uri, safe="")
    return redirect(f"https://{domain.lower()}/authorize_interaction?uri={target}")


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(domain) <= 253 and len(labels) >= 2 and all(
        label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels
    )


def language(request, code: str):
    """Switch the site's language by a plain link (a cached page cannot carry a form's CSRF token)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404(_("Diese Sprache gibt es hier nicht."))
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=True,
    )
    return response
