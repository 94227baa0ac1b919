"""`fediverse-node createscout USERNAME --org ORG --email E [--password P] [--topics "ki datenschutz"]
[--offer webinar]… [--language de]…`: an Online-Scout of a member organisation (without a password: mailed a link)."""

from django.core.management.base import BaseCommand, CommandError

from actors.services.local import local_actor_by_username
from community.services.scouts import ScoutError, scout_invite, topics_parse


class Command(BaseCommand):
    help = "Create an Online-Scout (a Person that logs in) of a member organisation."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="the member organisation's user name")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", default="")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--topics", default="")
        parser.add_argument("--offer", action="append", default=[], help="webinar, consulting or mentoring")
        parser.add_argument("--language", action="append", default=[], help="ISO 639-1 code, e.g. de")
        parser.add_argument("--availability", default="")

    def handle(self, *args, username, org, email, password, display_name, topics, offer, language, availability,
               **options):
        organisation = local_actor_by_username(org)
        if organisation is None:
            raise CommandError(f"There is no local organisation {org!r}.")
        try:
            actor = scout_invite(
                organisation=organisation, username=username, email=email, password=password,
                display_name=display_name, topics=topics_parse(topics), offers=offer, languages=language or ["de"],
                availability=availability,
            )
        except ScoutError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(actor.uri)
