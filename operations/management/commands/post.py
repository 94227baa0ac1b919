"""`fediverse-node post USERNAME TEXT`: publish a public post as a local actor (operator tool)."""

from django.core.management.base import BaseCommand, CommandError

from actors.services.local import local_actor_by_username
from posts.services.publishing import PostError, post_create


class Command(BaseCommand):
    help = "Publish a post as a local actor and print its id."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("text")
        parser.add_argument("--visibility", default="public", choices=["public", "unlisted", "private", "direct"])
        parser.add_argument("--summary", default="", help="content warning")

    def handle(self, *args, username, text, visibility, summary, **options):
        author = local_actor_by_username(username)
        if author is None:
            raise CommandError(f"No local actor named {username!r}.")
        try:
            post = post_create(author=author, text=text, visibility=visibility, summary=summary)
        except PostError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(post.uri)
