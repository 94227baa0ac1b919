"""Scout groups on the website: the list, a group's page (topic, rhythm, next meetings, events, members, posts),
its calendar, and the moderators' buttons (remove a post or a member, approve who asked to join)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actors.models import Actor, Follow, FollowState
from posts.models import Post

from ..ics import calendar_bytes
from ..pool import events_upcoming
from ..selectors import group_members, group_posts, groups_listed
from ..services.scout_groups import (
    GroupError,
    group_may_moderate,
    group_member_approve,
    group_member_remove,
    group_occurrences,
    group_of,
    group_post_remove,
    group_room_visible,
)
from .events import ics_response
from .pages import older_page


def groups(request):
    listed = groups_listed().select_related("scout_group")
    return render(request, "community/groups.html", {"nav": "groups", "groups": listed})


def _group_or_404(username: str) -> Actor:
    item = groups_listed().filter(username__iexact=username).first()
    if item is None:
        raise Http404(_("Diese Gruppe gibt es hier nicht."))
    return item


def group(request, username: str):
    actor = _group_or_404(username)
    details = group_of(actor)
    posts, older = older_page(request, group_posts(actor))
    moderator = group_may_moderate(user=request.user, group=details)
    pending = Follow.objects.filter(target=actor, state=FollowState.PENDING).select_related("follower") if moderator else []
    return render(request, "community/group.html", {
        "nav": "groups", "group": actor, "details": details, "members": group_members(actor)[:200],
        "posts": posts, "older": older, "sessions": _sessions(details, actor), "moderator": moderator, "pending": pending,
        "moderators": details.moderators.all(),
        "room_link": details.meeting_link if group_room_visible(user=request.user, group=details) else "",
    })


def _sessions(details, actor: Actor) -> list[dict]:
    """The weekly meetings and the group's events, in the order they happen."""
    meetings = [{"start": start, "end": end} for start, end in group_occurrences(group=details)]
    events = [{"start": event.starts_at, "event": event} for event in events_upcoming(group=actor)[:20]]
    return sorted(meetings + events, key=lambda session: session["start"])


def group_ics(request, username: str):
    actor = _group_or_404(username)
    details = group_of(actor)
    data = calendar_bytes(name=actor.display_name or actor.username, events=events_upcoming(group=actor)[:500],
                          groups=[details], room_links=group_room_visible(user=request.user, group=details))
    return ics_response(data, f"{actor.username}.ics")


@login_required
@require_POST
def group_moderate(request, username: str):
    actor = _group_or_404(username)
    details = group_of(actor)
    if not group_may_moderate(user=request.user, group=details):
        return render(request, "community/not_allowed.html", {"nav": "groups"}, status=403)
    action = request.POST.get("action", "")
    try:
        if action == "remove_post":
            post = Post.objects.filter(id=_int(request.POST.get("post")), boosts__author=actor).first()
            if post is None:
                raise GroupError(_("Diesen Beitrag hat die Gruppe nicht geteilt."))
            group_post_remove(group=details, post=post)
            messages.success(request, _("Der Beitrag ist aus der Gruppe entfernt."))
        elif action in ("remove_member", "approve"):
            member = Actor.objects.filter(id=_int(request.POST.get("member"))).first()
            if member is None:
                raise GroupError(_("Dieses Konto gibt es nicht."))
            if action == "approve":
                group_member_approve(group=details, member=member)
                messages.success(request, _("%(name)s ist aufgenommen.") % {"name": member.handle})
            else:
                group_member_remove(group=details, member=member)
                messages.success(request, _("%(name)s ist nicht mehr Mitglied.") % {"name": member.handle})
        else:
            raise GroupError(_("Unbekannte Aktion."))
    except GroupError as error:
        messages.error(request, str(error))
    return redirect("community:group", actor.username)


def _int(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else 0
