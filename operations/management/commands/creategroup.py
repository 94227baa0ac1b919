"""`fediverse-node creategroup USERNAME [--display-name N] [--summary S] [--topic T] [--meets "Dienstag 10:00"]
[--minutes 60] [--link URL] [--moderator NAME]… [--closed]`: a scout group, a Fediverse group (FEP-1b12) that anyone
joins by following it and that shares its members' posts with all members."""

from django.core.management.base import BaseCommand, CommandError

from actors.services.local import local_actor_by_username
from community.services.scout_groups import GroupError, group_create, rhythm_parse


class Command(BaseCommand):
    help = "Create a group actor (e.g. an Online-Scouts group); --closed: joining needs approval."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--summary", default="")
        parser.add_argument("--topic", default="", help="the group's topic, a hashtag name (e.g. ki)")
        parser.add_argument("--meets", default="", help='weekly meeting, e.g. "Dienstag 10:00" (Europe/Berlin)')
        parser.add_argument("--minutes", type=int, default=60, help="length of a meeting")
        parser.add_argument("--link", default="", help="video conference room")
        parser.add_argument("--moderator", action="append", default=[], help="a local scout or organisation")
        parser.add_argument("--closed", action="store_true", help="follow requests wait for a moderator")

    def handle(self, *args, username, display_name, summary, topic, meets, minutes, link, moderator, closed, **options):
        moderators = []
        for name in moderator:
            actor = local_actor_by_username(name)
            if actor is None:
                raise CommandError(f"There is no local account {name!r}.")
            moderators.append(actor)
        try:
            weekday, at = rhythm_parse(meets) if meets else (None, None)
            group = group_create(
                username=username, display_name=display_name, summary=summary, topic=topic, weekday=weekday, at=at,
                minutes=minutes, meeting_link=link, closed=closed, moderators=moderators,
            )
        except GroupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(group.actor.uri)
