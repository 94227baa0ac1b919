"""The Updates of local polls: changed counts after a delay (one Update for the votes of that while), and the close."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actors.models import Actor
from outbox.services import activity_publish

from .. import activities as render
from ..models import Poll
from .polls import poll_changed, poll_expired
from .publishing import post_recipients


def polls_federate(*, now: datetime | None = None) -> int:
    """Send the Update of each local poll whose counts changed a while ago or that has just closed; the number sent."""
    now = now or timezone.now()
    due = Poll.objects.filter(post__local=True).filter(
        Q(federate_at__lte=now) | Q(closing_sent=False, expires_at__lte=now)
    ).select_related("post__author")[:200]
    sent = 0
    for poll in due:
        with transaction.atomic():
            closing = poll_expired(poll, now) and not poll.closing_sent
            # guarded: a sweep in another process that took the same poll sends nothing
            taken = Poll.objects.filter(pk=poll.pk, federate_at=poll.federate_at, closing_sent=poll.closing_sent).update(
                federate_at=None, closing_sent=poll.closing_sent or closing
            )
            if not taken:
                continue
            if closing:
                poll_changed(poll)  # "expired" shows now
            activity_publish(
                actor=poll.post.author, activity=render.update_activity(poll.post, fresh_id=True),
                inboxes=post_recipients(poll.post) | _voter_inboxes(poll),
            )
            sent += 1
    return sent


def _voter_inboxes(poll: Poll) -> set[str]:
    """Remote voters hear of the counts even when they do not follow the author (Mastodon does the same)."""
    voters = Actor.objects.filter(poll_votes__poll=poll, local=False).distinct()
    return {voter.delivery_inbox for voter in voters}
