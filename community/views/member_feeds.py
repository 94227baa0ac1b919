"""A member organisation's website feeds (staff may manage any): add one, check it, switch it off or on, remove it,
hide single entries. Linked from the profile form."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fediverse_node.ratelimit import Rule, retry_after

from ..forms import MemberFeedForm
from ..models import FeedEntry, MemberFeed
from ..selectors import profile_by_handle
from ..services.member_feeds import (
    MemberFeedError,
    feed_add,
    feed_confirm,
    feed_entry_hide,
    feed_remove,
    feed_switch,
    feed_verify,
)
from ..services.profiles import profile_may_edit
from ..tasks import verify_member_feed

ACTIONS = {"verify", "confirm", "off", "on", "remove", "hide"}
# "Check now" fetches the feed and its website while the member waits: a few times per feed and ten minutes, so
# that a held-down button (or a script with a member's session) cannot make this server fetch a site on and on.
FEED_CHECK = Rule("feed-check", 5, 600)


@login_required
def member_feeds(request, handle: str):
    member = profile_by_handle(handle)
    if member is None or not member.actor.local:
        raise Http404(_("Diese Organisation gibt es hier nicht."))
    if not profile_may_edit(user=request.user, profile=member):
        return render(request, "community/not_allowed.html", {"nav": "directory"}, status=403)
    form = MemberFeedForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            if form.is_valid():
                try:
                    feed = feed_add(profile=member, url=form.cleaned_data["url"], confirmed=request.user.is_staff)
                except MemberFeedError as error:
                    form.add_error("url", error.localized())
                else:
                    if not feed.verified:
                        transaction.on_commit(lambda: verify_member_feed.delay(feed.pk))
                    messages.success(request, _("Feed eingetragen."))
                    return redirect("community:member_feeds", handle)
        elif action in ACTIONS:
            _act(request, member, action)
            return redirect("community:member_feeds", handle)
    feeds = list(MemberFeed.objects.filter(profile=member).order_by("id"))
    entries = (
        FeedEntry.objects.filter(feed__profile=member).select_related("feed").order_by("-created_at", "-id")[:30]
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "community/member_feeds.html", {
        "nav": "directory", "member": member, "handle": handle, "form": form, "feeds": feeds, "entries": entries,
        "profile_url": settings.FEDINODE_BASE_URL + reverse("community:profile", args=[handle]),
    }, status=status)


def _act(request, member, action: str) -> None:
    try:
        target_id = int(request.POST.get("id", ""))
    except ValueError:
        messages.error(request, _("Diesen Eintrag gibt es nicht."))
        return
    if action == "hide":
        entry = FeedEntry.objects.filter(pk=target_id, feed__profile=member).first()
        if entry is None:
            messages.error(request, _("Diesen Eintrag gibt es nicht."))
            return
        feed_entry_hide(entry=entry)
        messages.success(request, _("Der Beitrag ist ausgeblendet und gelöscht."))
        return
    feed = MemberFeed.objects.filter(pk=target_id, profile=member).select_related("profile__actor").first()
    if feed is None:
        messages.error(request, _("Diesen Feed gibt es nicht."))
        return
    if action == "verify":
        wait = retry_after(FEED_CHECK, str(feed.pk))
        if wait is not None:
            minutes = -(-wait // 60)
            messages.error(request, ngettext(
                "Dieser Feed wurde gerade mehrmals geprüft. Bitte versuchen Sie es in %(minutes)s Minute noch einmal.",
                "Dieser Feed wurde gerade mehrmals geprüft. Bitte versuchen Sie es in %(minutes)s Minuten noch "
                "einmal.", minutes) % {"minutes": minutes})
            return
        try:
            feed_verify(feed=feed)
        except MemberFeedError as error:
            messages.error(request, error.localized())
        else:
            messages.success(request, _("Der Feed ist bestätigt: neue Einträge erscheinen als Beiträge."))
    elif action == "confirm":
        if not request.user.is_staff:
            messages.error(request, _("Nur das Team der Geschäftsstelle kann einen Feed von Hand bestätigen."))
            return
        feed_confirm(feed=feed)
        messages.success(request, _("Der Feed ist bestätigt: neue Einträge erscheinen als Beiträge."))
    elif action in ("off", "on"):
        feed_switch(feed=feed, enabled=action == "on")
        messages.success(request, _("Feed eingeschaltet.") if action == "on" else _("Feed ausgeschaltet."))
    elif action == "remove":
        feed_remove(feed=feed)
        messages.success(request, _("Feed entfernt; seine Beiträge bleiben."))
