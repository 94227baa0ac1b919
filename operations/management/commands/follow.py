"""`fediverse-node follow USERNAME HANDLE_OR_URL`: a local actor follows another (operator tool)."""

from django.core.management.base import BaseCommand, CommandError

from actors.services.follow import follow_request
from actors.services.local import local_actor_by_username
from actors.services.remote import ResolveError, actor_resolve


class Command(BaseCommand):
    help = "Make a local actor follow an actor given as @user@host or URL."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("target", metavar="HANDLE_OR_URL")

    def handle(self, *args, username, target, **options):
        follower = local_actor_by_username(username)
        if follower is None:
            raise CommandError(f"No local actor named {username!r}.")
        try:
            follow = follow_request(follower=follower, target=actor_resolve(target))
        except (ResolveError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{follow.target.uri} {follow.state}")
