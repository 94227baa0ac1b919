"""`fediverse-node creategroup USERNAME [--display-name N] [--summary S] [--closed]`: a Fediverse group (FEP-1b12)
that anyone joins by following it and that shares its members' posts with all members."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.html import escape

from actors.models import ActorType
from actors.services.local import actor_create_local, username_check


class Command(BaseCommand):
    help = "Create a group actor (e.g. an Online-Scouts group); --closed: joining needs approval."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--summary", default="")
        parser.add_argument("--closed", action="store_true", help="follow requests wait for a moderator")

    def handle(self, *args, username: str, display_name: str, summary: str, closed: bool, **options):
        try:
            username_check(username)
        except ValueError as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            group = actor_create_local(
                username=username, type=ActorType.GROUP, display_name=display_name,
                summary=f"<p>{escape(summary)}</p>" if summary else "",
                manually_approves_followers=closed,
            )
        self.stdout.write(group.uri)
