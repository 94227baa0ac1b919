"""`fediverse-node suspend HANDLE [--undo]`: staff suspend an account (local or remote), or lift the suspension."""

from django.core.management.base import BaseCommand, CommandError

from actors.services.suspension import actor_find, actor_suspend, actor_unsuspend


class Command(BaseCommand):
    help = (
        "Suspend an account: a local one disappears from the site, the API and WebFinger and its followers' "
        "servers get a Delete; a remote one is refused and hidden. --undo brings it back (its data was kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("handle", help="a local name, name@host, or an actor URL")
        parser.add_argument("--undo", action="store_true", help="lift the suspension")

    def handle(self, *args, handle: str, undo: bool, **options):
        actor = actor_find(handle=handle)
        if actor is None:
            raise CommandError(f"No account {handle!r} is known here.")
        if undo:
            was = actor.suspended
            actor_unsuspend(actor=actor)
            self.stdout.write(f"{actor.handle} unsuspended" if was else f"{actor.handle} was not suspended")
        else:
            was = actor.suspended
            actor_suspend(actor=actor)
            self.stdout.write(f"{actor.handle} was suspended already" if was else f"{actor.handle} suspended")
