"""Polls: a local poll's options, votes by our members and by remote actors, and the Updates that carry the counts.

Votes federate as Mastodon sends them: one Create of a Note per choice, its `name` the option's title and its
`inReplyTo` the Question, addressed to the poll's author only. A local poll's changed counts go out as one Update
of the Question after `FEDINODE_POLL_UPDATE_DELAY` seconds (the votes of that while share it), and once more when
it closes; `poll_updates.polls_federate` sends both."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from actors.models import Actor
from fediverse_node.protocol.vocab import PostObject
from outbox.services import activity_publish

from .. import activities as render
from ..models import Poll, PollVote, Post
from .announcing import posts_changed_announce
from .errors import PostError

MIN_OPTIONS, MAX_OPTIONS, MAX_OPTION_CHARS = 2, 4, 50  # Mastodon's defaults
MIN_EXPIRY, MAX_EXPIRY = 5 * 60, 30 * 24 * 3600  # five minutes to a month, in seconds


class PollError(PostError):
    """A vote or poll that cannot be as asked (expired, voted already, no such option…)."""


@dataclass(frozen=True, slots=True)
class PollSpec:
    """A new poll as its author asks for it."""

    options: tuple[str, ...]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False


def poll_spec_check(*, spec: PollSpec) -> None:
    """Mastodon's limits: 2 to 4 distinct options of at most 50 characters, open five minutes to a month."""
    options = [option.strip() for option in spec.options]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise PollError(gettext_noop("A poll has %(min)d to %(max)d options."), min=MIN_OPTIONS, max=MAX_OPTIONS)
    if any(not option for option in options):
        raise PollError(gettext_noop("A poll option cannot be empty."))
    if any(len(option) > MAX_OPTION_CHARS for option in options):
        raise PollError(gettext_noop("A poll option has at most %(limit)d characters."), limit=MAX_OPTION_CHARS)
    if len(set(options)) != len(options):
        raise PollError(gettext_noop("The options of a poll must differ."))
    if not MIN_EXPIRY <= spec.expires_in <= MAX_EXPIRY:
        raise PollError(
            gettext_noop("A poll runs from %(min)d seconds to %(max)d seconds (30 days)."), min=MIN_EXPIRY, max=MAX_EXPIRY
        )


def poll_attach(*, post: Post, spec: PollSpec) -> Poll:
    """The poll of a new local Question (inside post_create's transaction, before its Create is rendered)."""
    return Poll.objects.create(
        post=post, options=[{"title": option.strip(), "votes": 0} for option in spec.options],
        multiple=spec.multiple, hide_totals=spec.hide_totals, voters_count=0,
        expires_at=timezone.now() + timedelta(seconds=spec.expires_in),
    )


def poll_of(post: Post) -> Poll | None:
    try:
        return post.poll
    except Poll.DoesNotExist:
        return None


def poll_expired(poll: Poll, now: datetime | None = None) -> bool:
    return poll.expires_at is not None and poll.expires_at <= (now or timezone.now())


def poll_changed(poll: Poll) -> None:
    """The post's rendered copies are keyed on its updated_at: move it, and tell the streaming API."""
    Post.objects.filter(id=poll.post_id).update(updated_at=timezone.now())
    posts_changed_announce(post_ids=[poll.post_id])


def _recount(poll: Poll) -> None:
    """A local poll's counts from its votes; its Update goes out after the delay (once for many votes)."""
    counts = dict(poll.votes.values_list("choice").annotate(n=Count("id")).values_list("choice", "n"))
    poll.options = [{**option, "votes": counts.get(i, 0)} for i, option in enumerate(poll.options)]
    poll.voters_count = poll.votes.values("voter").distinct().count()
    poll.save(update_fields=["options", "voters_count"])
    due = timezone.now() + timedelta(seconds=settings.FEDINODE_POLL_UPDATE_DELAY)
    Poll.objects.filter(pk=poll.pk, federate_at__isnull=True).update(federate_at=due)
    poll_changed(poll)


def poll_vote(*, poll: Poll, voter: Actor, choices: list[int]) -> Poll:
    """A local member votes. On a remote poll the choices go to its author (one Note each) and the counts here
    move at once, as Mastodon shows them, until the author's next Update."""
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("post__author").get(pk=poll.pk)
        post = poll.post
        if poll_expired(poll):
            raise PollError(gettext_noop("The poll has already ended."))
        if post.author_id == voter.id:
            raise PollError(gettext_noop("You cannot vote in your own poll."))
        if poll.votes.filter(voter=voter).exists():
            raise PollError(gettext_noop("You have already voted on this poll."))
        if not choices or len(set(choices)) != len(choices):
            raise PollError(gettext_noop("Choose at least one option, each once."))
        if not poll.multiple and len(choices) > 1:
            raise PollError(gettext_noop("This poll takes one choice only."))
        if any(not 0 <= choice < len(poll.options) for choice in choices):
            raise PollError(gettext_noop("No such option in this poll."))
        votes = [PollVote.objects.create(poll=poll, voter=voter, choice=choice) for choice in choices]
        if post.author.local:
            _recount(poll)
            return poll
        for vote in votes:
            vote.uri = f"{voter.uri}#votes/{vote.id}"
            vote.save(update_fields=["uri"])
            poll.options[vote.choice]["votes"] = int(poll.options[vote.choice].get("votes") or 0) + 1
            activity_publish(
                actor=voter, activity=render.vote_activity(vote=vote, post=post, title=poll.options[vote.choice]["title"]),
                inboxes=[post.author.inbox_url],
            )
        poll.voters_count = (poll.voters_count or 0) + 1
        poll.save(update_fields=["options", "voters_count"])
        poll_changed(poll)
    return poll


def poll_vote_arrived(*, post: Post, voter: Actor, name: str, uri: str) -> bool:
    """A remote actor's vote on one of our polls (a Note named after an option): counted once per voter and option,
    and for a single-choice poll once per voter; False when it does not count (closed, no such option, again)."""
    with transaction.atomic():
        poll = Poll.objects.select_for_update().filter(pk=post.id).first()
        if poll is None or poll_expired(poll) or post.author_id == voter.id:
            return False
        choice = next((i for i, option in enumerate(poll.options) if option["title"] == name), None)
        if choice is None:
            return False
        earlier = poll.votes.filter(voter=voter)
        if earlier.filter(choice=choice).exists() or (not poll.multiple and earlier.exists()):
            return False
        PollVote.objects.create(poll=poll, voter=voter, choice=choice, uri=uri[:500])
        _recount(poll)
    return True


def poll_store_remote(*, post: Post, obj: PostObject) -> None:
    """A remote Question's answers and counts as its server sent them (on Create and on every Update)."""
    options = obj.one_of or obj.any_of
    if not options:
        return
    Poll.objects.update_or_create(post=post, defaults={
        "options": [{"title": option.name[:MAX_OPTION_CHARS * 4], "votes": option.votes} for option in options],
        "multiple": bool(obj.any_of) and not obj.one_of,
        "expires_at": obj.end_time or obj.closed,
        "voters_count": obj.voters_count,
    })
