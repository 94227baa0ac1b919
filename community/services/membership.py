"""Membership: an organisation applies; staff approve (its actor and log-in are created, or its existing Fediverse
account is linked) or reject it. The applicant hears the outcome by e-mail."""

import contextlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from actors.models import Actor
from actors.services.follow import FollowBlocked, follow_request
from actors.services.local import instance_actor, organization_create
from actors.services.remote import ResolveError, actor_resolve
from fediverse_node.errors import localized

from .. import limits
from ..limits import text_limits_check
from ..models import ApplicationState, MembershipApplication
from .profiles import fields_of_work_rows, profile_create


class MembershipError(Exception):
    """Why an application cannot be approved (shown to staff)."""


def application_submit(*, data: dict, fields_of_work: list[str]) -> MembershipApplication:
    text_limits_check(
        description=(data.get("description", ""), limits.DESCRIPTION), message=(data.get("message", ""), limits.MESSAGE)
    )
    application = MembershipApplication.objects.create(**data)
    application.fields_of_work.set(fields_of_work_rows(fields_of_work))
    return application


def password_link(actor: Actor) -> str:
    """A one-time link where the new member sets its password (Django's password reset tokens)."""
    user = actor.user
    if user is None:
        raise MembershipError(f"{actor.handle} has no login of this server.")
    path = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return f"{settings.FEDINODE_BASE_URL}{path}"


def application_approve(*, application: MembershipApplication, staff_user) -> Actor:
    """Create the member's actor and log-in (or link its remote account), its profile, and tell it by e-mail."""
    if application.status != ApplicationState.PENDING:
        raise MembershipError(_("Dieser Antrag wurde schon entschieden."))
    slugs = list(application.fields_of_work.values_list("slug", flat=True))
    profile_data: dict[str, Any] = dict(
        description=application.description, street=application.street, postal_code=application.postal_code,
        city=application.city, state=application.state, fields_of_work=slugs, website=application.website,
    )
    if application.remote_handle:
        try:
            actor = actor_resolve(application.remote_handle)
        except (ResolveError, ValueError) as error:
            raise MembershipError(
                _("Das Fediverse-Konto ist nicht erreichbar: %(error)s") % {"error": localized(error)}
            ) from None
        with transaction.atomic():
            if not hasattr(actor, "member_profile"):
                profile_create(actor=actor, **profile_data)
            with contextlib.suppress(FollowBlocked):  # a suspended server's account joins, its posts do not flow
                follow_request(follower=instance_actor(), target=actor)  # its posts flow into the community feed
            _decide(application, ApplicationState.APPROVED, staff_user, actor=actor)
        _mail(application, _("Ihr Fediverse-Konto %(handle)s ist jetzt mit %(site)s verbunden.") % {
            "handle": actor.handle, "site": settings.FEDINODE_NAME})
        return actor
    with transaction.atomic():
        try:
            actor = organization_create(
                username=application.username, email=application.email, password=secrets.token_urlsafe(24),
                display_name=application.organisation_name, city=application.city,
            )
        except ValueError as error:
            raise MembershipError(localized(error)) from None
        profile_create(actor=actor, **profile_data)
        _decide(application, ApplicationState.APPROVED, staff_user, actor=actor)
    _mail(application, _(
        "Willkommen bei %(site)s! Ihr Benutzername ist %(username)s. Legen Sie hier Ihr Passwort fest: %(link)s"
    ) % {"site": settings.FEDINODE_NAME, "username": actor.username, "link": password_link(actor)})
    return actor


def application_reject(*, application: MembershipApplication, staff_user, reason: str = "") -> None:
    if application.status != ApplicationState.PENDING:
        raise MembershipError(_("Dieser Antrag wurde schon entschieden."))
    application.reason = reason
    _decide(application, ApplicationState.REJECTED, staff_user)
    _mail(application, _("Ihr Antrag bei %(site)s wurde leider abgelehnt.") % {"site": settings.FEDINODE_NAME}
          + (f"\n\n{reason}" if reason else ""))


def _decide(application, status, staff_user, actor=None) -> None:
    application.status, application.decided_by, application.decided_at = status, staff_user, timezone.now()
    application.actor = actor
    application.save()


def _mail(application: MembershipApplication, body: str) -> None:
    send_mail(
        subject=_("Ihr Mitgliedsantrag bei %(site)s") % {"site": settings.FEDINODE_NAME},
        message=body, from_email=None, recipient_list=[application.email], fail_silently=True,
    )
