"""The site's own pages: the home page, the legal pages staff edit, the contact form and robots.txt."""

import markdown as markdown_lib
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fediverse_node.ratelimit import CONTACT, client_address, retry_after
from fediverse_node.sanitize import sanitize_html

from ..cache import anonymous_page_cache
from ..cards import cards_from_rows
from ..forms import ContactForm
from ..map_teaser import HEIGHT, WIDTH, teaser_point
from ..models import FIELDS_OF_WORK, ContactMessage
from ..pool import events_upcoming
from ..selectors import campaign_featured, feed_card_rows, map_positions, network_figures, site_page_get
from ..site_page_defaults import PLACEHOLDER_MARK

# Query parameters of the community feed, which lived at / until the home page took its place: old links keep working.
OLD_FEED_PARAMETERS = {"tag", "field", "state", "before"}


@anonymous_page_cache
def home(request):
    if OLD_FEED_PARAMETERS & set(request.GET):
        return redirect(f"{reverse('community:feed')}?{request.GET.urlencode()}", permanent=True)
    points = [p for p in (teaser_point(lat, lon) for lat, lon in map_positions()) if p is not None]
    return render(request, "community/home.html", {
        "nav": "home", "figures": network_figures(),
        "posts": cards_from_rows(feed_card_rows(limit=4), request.user),
        "events": list(events_upcoming()[:3]), "campaign": campaign_featured(today=timezone.localdate()),
        "fields_of_work": FIELDS_OF_WORK, "points": points, "map_width": WIDTH, "map_height": HEIGHT,
    })


def _page_html(body: str) -> str:
    """Staff write the legal pages in Markdown; a line break stays a line break (addresses)."""
    return sanitize_html(markdown_lib.markdown(body, extensions=["sane_lists", "nl2br"], output_format="html"))


def site_page(request, slug: str):
    page = site_page_get(slug)
    if page is None:
        raise Http404(_("Diese Seite gibt es nicht."))
    return render(request, "community/site_page.html", {
        "page": page, "html": _page_html(page.body),
        "unfinished": request.user.is_staff and PLACEHOLDER_MARK in page.body,
    })


def contact(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        wait = retry_after(CONTACT, client_address(request))
        if wait is not None:
            form.add_error(None, _("Sie haben gerade schon mehrere Nachrichten geschickt. Bitte versuchen Sie es in "
                                   "%(minutes)d Minuten noch einmal.") % {"minutes": max(1, wait // 60)})
        elif form.is_valid():
            ContactMessage.objects.create(**form.cleaned_data, language=get_language() or "")
            messages.success(request, _("Vielen Dank, Ihre Nachricht ist angekommen. Wir antworten per E-Mail."))
            return redirect("community:contact")
    return render(request, "community/contact.html", {
        "nav": "contact", "form": form, "contact_email": settings.FEDINODE_CONTACT_EMAIL,
    }, status=400 if request.method == "POST" else 200)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        # Forms, staff pages and per-user pages are of no use in a search index.
        "Disallow: /admin/", "Disallow: /auth/", "Disallow: /oauth/", "Disallow: /moderation/", "Disallow: /api/",
        "Disallow: /language/",
        f"Sitemap: {settings.FEDINODE_BASE_URL}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

