"""`fediverse-node createorg USERNAME --email E --password P [--city C] [--postal-code P] [--state S] [--field F]…`:
an approved member organisation with its member profile, listed in the directory, the feed and the map."""

import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from actors.services.local import organization_create
from community.models import FIELDS_OF_WORK, FederalState
from community.services.profiles import profile_create


def _state_code(value: str) -> str:
    """A federal state given by its code (BE) or name (Berlin)."""
    for code, name in FederalState.choices:
        if value.strip().lower() in (code.lower(), name.lower()):
            return code
    codes = ", ".join(FederalState.values)
    raise CommandError(f"--state {value!r} is not a German federal state; use one of {codes} (or its name).")


class Command(BaseCommand):
    help = "Create an approved member organisation that can log in, with its listed member profile."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--display-name", default="", help="the organisation's name (default: the user name)")
        parser.add_argument("--city", default="")
        parser.add_argument("--postal-code", default="", help="five digits")
        parser.add_argument("--street", default="")
        parser.add_argument("--state", default="", help="federal state: code (BE) or name (Berlin)")
        parser.add_argument(
            "--field", action="append", default=[], metavar="SLUG",
            help="field of work, repeatable: " + ", ".join(slug for slug, _ in FIELDS_OF_WORK),
        )
        parser.add_argument("--description", default="")
        parser.add_argument("--website", default="")
        parser.add_argument("--unlisted", action="store_true", help="not shown in the directory, feed and map")

    def handle(self, *args, username, email, password, display_name, city, postal_code, street, state, field,
               description, website, unlisted, **options):
        if postal_code and not re.fullmatch(r"\d{5}", postal_code):
            raise CommandError(f"--postal-code takes five digits, not {postal_code!r}.")
        known = {slug for slug, _ in FIELDS_OF_WORK}
        unknown = [slug for slug in field if slug not in known]
        if unknown:
            raise CommandError(f"Unknown field of work {unknown[0]!r}; use one of {', '.join(sorted(known))}.")
        state = _state_code(state) if state else ""
        for option, value, validate in (("--email", email, validate_email),
                                        ("--website", website, URLValidator(schemes=["http", "https"]))):
            try:
                if value:
                    validate(value)
            except ValidationError:
                raise CommandError(f"{option} {value!r} is not valid.") from None
        try:
            with transaction.atomic():
                actor = organization_create(
                    username=username, email=email, password=password, display_name=display_name, city=city
                )
                profile = profile_create(
                    actor=actor, description=description, street=street, postal_code=postal_code, city=city,
                    state=state, fields_of_work=field, website=website,
                )
                if unlisted:
                    profile.listed = False
                    profile.save(update_fields=["listed"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(actor.uri)
