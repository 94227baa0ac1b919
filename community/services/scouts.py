"""Online-Scouts: people of member organisations with a topic they know, invited by their organisation or by
staff. A scout is a local `Person` actor with a log-in, so it posts from any Mastodon client like its organisation."""

import re
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from actors.models import Actor, ActorType
from actors.services.local import login_actor_create
from actors.services.profile import actor_profile_update
from fediverse_node.errors import localized

from ..models import LANGUAGES, Offer, ScoutProfile
from .membership import password_link

TOPIC_RE = re.compile(r"^[\w]{1,50}$")
MAX_TOPICS = 20
LANGUAGE_CODES = {code for code, _name in LANGUAGES}


class ScoutError(ValueError):
    """A scout that cannot be invited or changed as asked (the message says why, in the site's language)."""


def topics_parse(text: str) -> list[str]:
    """'#KI, Datenschutz  barrierefreiheit' -> ['ki', 'datenschutz', 'barrierefreiheit']: hashtag names."""
    topics = []
    for word in re.split(r"[,;\s]+", text):
        word = word.strip().lstrip("#").lower()
        if not word:
            continue
        if not TOPIC_RE.match(word):
            raise ScoutError(_("„%(topic)s“ ist kein gültiges Thema: Buchstaben, Ziffern und _ (höchstens 50).")
                             % {"topic": word[:60]})
        topics.append(word)
    topics = list(dict.fromkeys(topics))
    if len(topics) > MAX_TOPICS:
        raise ScoutError(_("Höchstens %(n)d Themen.") % {"n": MAX_TOPICS})
    return topics


def _check_choices(offers: list[str], languages: list[str]) -> None:
    if set(offers) - set(Offer.values):
        raise ScoutError(_("Unbekanntes Angebot."))
    if set(languages) - LANGUAGE_CODES:
        raise ScoutError(_("Unbekannte Sprache."))


def scout_save(*, scout: ScoutProfile) -> ScoutProfile:
    """Save with the search columns kept in step (facets padded with spaces, so ' t:ki ' never matches 't:kita')."""
    actor = scout.actor
    facets = [f"t:{t}" for t in scout.topics] + [f"o:{o}" for o in scout.offers] + [f"l:{code}" for code in scout.languages]
    scout.facets = " " + " ".join(facets) + " "
    scout.search_text = " ".join(
        part.lower() for part in (actor.display_name, actor.username, scout.availability, *scout.topics) if part
    )
    scout.save()
    return scout


def scout_invite(
    *,
    organisation: Actor,
    username: str,
    email: str,
    display_name: str = "",
    topics: Sequence[str] = (),
    offers: Sequence[str] = (),
    languages: Sequence[str] = ("de",),
    availability: str = "",
    password: str = "",
) -> Actor:
    """Create a scout of a member organisation; without a password it gets an e-mail to set one."""
    if not organisation.local or organisation.type != ActorType.ORGANIZATION:
        raise ScoutError(_("Scouts gehören zu einer Mitgliedsorganisation dieses Servers."))
    offers, languages = list(offers), list(languages)
    _check_choices(offers, languages)
    with transaction.atomic():
        try:
            actor = login_actor_create(
                username=username, email=email, password=password or secrets.token_urlsafe(24),
                type=ActorType.PERSON, display_name=display_name,
            )
        except ValueError as error:
            raise ScoutError(localized(error)) from None
        scout = ScoutProfile(
            actor=actor, organisation=organisation, topics=list(topics), offers=offers, languages=languages,
            availability=availability[:300],
        )
        scout_save(scout=scout)
    if not password:
        send_mail(
            _("Willkommen bei den Online-Scouts"),
            _("%(org)s hat Sie als Online-Scout bei %(site)s eingeladen. Ihr Benutzername ist %(username)s. "
              "Legen Sie hier Ihr Passwort fest: %(link)s") % {
                "org": organisation.display_name or organisation.username, "site": settings.FEDINODE_NAME,
                "username": actor.username, "link": password_link(actor)},
            None, [email],
        )
    return actor


def scout_update(
    *, scout: ScoutProfile, display_name: str, note: str, topics: list[str], offers: list[str],
    languages: list[str], availability: str,
) -> ScoutProfile:
    _check_choices(offers, languages)
    with transaction.atomic():
        actor_profile_update(actor=scout.actor, display_name=display_name, note=note)
        scout.topics, scout.offers, scout.languages = topics, offers, languages
        scout.availability = availability[:300]
        scout_save(scout=scout)
    return scout


def scout_may_edit(*, user, scout: ScoutProfile) -> bool:
    """The scout itself, its organisation, or staff."""
    if not user.is_authenticated:
        return False
    own = getattr(user, "actor", None)
    return user.is_staff or own is not None and own.id in (scout.actor_id, scout.organisation_id)
