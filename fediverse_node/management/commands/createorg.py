"""`fediverse-node createorg USERNAME --email E --password P`: an approved member organisation."""

from django.core.management.base import BaseCommand, CommandError

from actors.services.local import organization_create


class Command(BaseCommand):
    help = "Create an approved member organisation that can log in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--city", default="")

    def handle(self, *args, username, email, password, display_name, city, **options):
        try:
            actor = organization_create(
                username=username, email=email, password=password, display_name=display_name, city=city
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(actor.uri)
