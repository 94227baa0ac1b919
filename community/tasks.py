"""Celery tasks of the website: link verification and members' website feeds run in the background (they fetch
other servers' pages)."""

from celery import shared_task

from .models import MemberFeed, MemberProfile
from .services.links import links_verify
from .services.member_feeds import MemberFeedError, feed_poll, feed_verify, feeds_due


@shared_task
def verify_links(profile_id: int) -> None:
    profile = MemberProfile.objects.filter(pk=profile_id).select_related("actor").first()
    if profile is not None:
        links_verify(profile=profile)


@shared_task
def verify_member_feed(feed_id: int) -> None:
    feed = MemberFeed.objects.filter(pk=feed_id).select_related("profile__actor").first()
    if feed is not None:
        try:
            feed_verify(feed=feed)
        except MemberFeedError:
            pass  # the feed's page shows it still unverified, with a button to check again


@shared_task
def housekeeping_member_feeds() -> None:
    """Beat's sweep: claim the feeds due and poll each in a task of its own (not on the housekeeping queue, whose
    sweeps must not wait for a slow website)."""
    for feed_id in feeds_due():
        poll_member_feed.delay(feed_id)


@shared_task
def poll_member_feed(feed_id: int) -> None:
    feed = MemberFeed.objects.filter(pk=feed_id).select_related("profile__actor").first()
    if feed is not None:
        feed_poll(feed=feed)
