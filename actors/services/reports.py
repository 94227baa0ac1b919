"""Reports: a member reports an account (optionally forwarding a Flag to its server); staff resolve them."""

from collections.abc import Sequence
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from outbox.services import activity_publish

from .. import activities as render
from ..models import COMMENT_MAX, Actor, Report, ReportCategory, ReportState
from .local import instance_actor


class ReportedPost(Protocol):
    """What a report reads of a post (a `posts.Post`): the posts room sits above this one."""

    pk: int
    uri: str
    author_id: int


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why."""


def _flag_send(*, report: Report, posts: Sequence[ReportedPost]) -> None:
    """Send the report to the target's server as a Flag from our instance actor: the reporter stays unnamed
    there (Mastodon does the same; its Flag object lists the account first, then the posts)."""
    sender = instance_actor()
    report.uri = render.activity_id(sender, "flags")
    flag = render.simple_activity(
        id=report.uri, type="Flag", actor=sender, object=[report.target.uri, *(p.uri for p in posts)]
    )
    flag["content"] = report.comment
    activity_publish(actor=sender, activity=flag, inboxes=[report.target.delivery_inbox])


def report_create(
    *,
    target: Actor,
    reporter: Actor | None = None,
    posts: Sequence[ReportedPost] = (),
    comment: str = "",
    category: str = ReportCategory.OTHER,
    forward: bool = False,
    origin_domain: str = "",
    uri: str | None = None,
) -> Report:
    """Store an open report about target (a member's, or with reporter None one another server sent);
    with forward, a remote target's server gets a Flag. Raises ReportError for bad input, storing nothing."""
    if len(comment) > COMMENT_MAX:
        raise ReportError(f"comment is too long (at most {COMMENT_MAX} characters)")
    if category not in ReportCategory.values:
        raise ReportError(f"category must be one of {', '.join(ReportCategory.values)}")
    if reporter is not None and reporter.id == target.id:
        raise ReportError("an account cannot report itself")
    strangers = [p.uri for p in posts if p.author_id != target.id]
    if strangers:
        raise ReportError(f"these posts are not by the reported account: {', '.join(strangers)}")
    with transaction.atomic():
        report = Report.objects.create(
            reporter=reporter, target=target, comment=comment, category=category, origin_domain=origin_domain,
            uri=uri, forwarded=forward and reporter is not None and not target.local,
        )
        report.posts.set([p.pk for p in posts])
        if report.forwarded:
            _flag_send(report=report, posts=posts)
            report.save(update_fields=["uri"])
    return report


def report_resolve(*, report: Report, by=None) -> Report:
    """open -> resolved, noting which staff user did it and when; resolving twice changes nothing."""
    if report.state == ReportState.RESOLVED:
        return report
    report.state, report.resolved_by, report.resolved_at = ReportState.RESOLVED, by, timezone.now()
    report.save(update_fields=["state", "resolved_by", "resolved_at"])
    return report
