"""Shared set-up for the website tests: member organisations, remote members, and reading pages."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from actors.models import ActorType
from actors.services.local import organization_create
from community.models import Campaign
from community.services.profiles import profile_create
from tests.factories import remote_actor


def member(username, name="", *, city="Berlin", state="BE", postal_code="10115", fields=("migration",), **extra):
    """A local member organisation with a listed profile."""
    actor = organization_create(username=username, email=f"{username}@example.org", password="member-pass-1",
                                display_name=name or username.title())
    profile_create(actor=actor, city=city, state=state, postal_code=postal_code, fields_of_work=list(fields), **extra)
    return actor


def remote_member(username="fern", host="remote.example", **extra):
    """An organisation on another server linked as a member (its posts come by federation)."""
    actor = remote_actor(host=host, username=username)
    actor.type = ActorType.ORGANIZATION
    actor.display_name = username.title()
    actor.save()
    profile_create(actor=actor, city=extra.pop("city", "Hamburg"), state=extra.pop("state", "HH"), **extra)
    return actor


def campaign(hashtag="gleichimnetz"):
    today = timezone.now().date()
    return Campaign.objects.create(name="Kampagne", slug="kampagne", hashtag=hashtag,
                                   starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=3))


def image_sources(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client
