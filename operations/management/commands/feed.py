"""`fediverse-node feed add|list|remove|poll`: operators manage members' website feeds (added as confirmed)."""

from django.core.management.base import BaseCommand, CommandError

from community.models import MemberFeed, MemberProfile
from community.services.member_feeds import MemberFeedError, feed_add, feed_find, feed_poll, feed_remove
from fediverse_node.errors import error_said


class Command(BaseCommand):
    help = (
        "Members' website feeds: `feed add USERNAME URL` (confirmed as the organisation's own), `feed list "
        "[USERNAME]`, `feed remove USERNAME URL`, `feed poll [USERNAME]` (ask the feeds now)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list,remove,poll}")
        add = actions.add_parser("add", help="add a feed of an organisation's website, confirmed")
        add.add_argument("username")
        add.add_argument("url")
        listing = actions.add_parser("list", help="the feeds, with their state")
        listing.add_argument("username", nargs="?", default="")
        remove = actions.add_parser("remove", help="remove a feed (its posts stay)")
        remove.add_argument("username")
        remove.add_argument("url")
        poll = actions.add_parser("poll", help="poll the verified feeds now")
        poll.add_argument("username", nargs="?", default="")

    def handle(self, *args, action: str, username: str = "", url: str = "", **options):
        if action == "add":
            profile = MemberProfile.objects.filter(
                actor__local=True, actor__username__iexact=username
            ).select_related("actor").first()
            if profile is None:
                raise CommandError(f"No member organisation named {username!r} here (createorg makes one).")
            try:
                feed = feed_add(profile=profile, url=url, confirmed=True)
            except MemberFeedError as error:
                raise CommandError(error.localized()) from None
            self.stdout.write(f"{feed.url} added for {profile.actor.username} (confirmed)")
        elif action == "remove":
            found = feed_find(username=username, url=url)
            if found is None:
                raise CommandError(f"{username!r} has no feed {url!r}.")
            feed_remove(feed=found)
            self.stdout.write(f"{url} removed")
        else:
            feeds = MemberFeed.objects.select_related("profile__actor").order_by("profile__actor__username", "id")
            if username:
                feeds = feeds.filter(profile__actor__username__iexact=username)
            for feed in feeds:
                if action == "poll":
                    result = feed_poll(feed=feed)
                    self.stdout.write(
                        f"{feed.profile.actor.username} {feed.url} {result.status} posted={result.posted} "
                        f"updated={result.updated}{' ' + error_said(result.error) if result.error else ''}"
                    )
                else:
                    state = "off" if not feed.enabled else "gone" if feed.gone else (feed.verified or "unverified")
                    self.stdout.write(
                        f"{feed.profile.actor.username}\t{feed.url}\t{state}\tentries={feed.entries.count()}"
                        f"{chr(9) + feed.error_said if feed.last_error else ''}"
                    )
