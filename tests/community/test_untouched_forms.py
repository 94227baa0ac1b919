"""Saving an untouched form changes nothing: every demo profile, scout and event material form, loaded and sent
back as a browser would, leaves the stored rows as they were (and keeps the fields of work)."""

import pytest
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import Client

from community.models import MemberProfile, ScoutProfile
from operations.demo import demo_data_create
from posts.models import Post, PostType
from tests.community.forms import untouched_form
from tests.community.site import logged_in, member

pytestmark = pytest.mark.django_db


def rows(instance) -> dict:
    """The stored row of an instance and of its actor, with its many-to-many values."""
    instance = type(instance).objects.get(pk=instance.pk)
    data = {f.name: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    data["m2m"] = model_to_dict(instance, fields=[f.name for f in instance._meta.many_to_many])
    data["m2m"] = {k: sorted(str(v) for v in values) for k, values in data["m2m"].items()}
    data["actor"] = {f.name: getattr(instance.actor, f.attname) for f in instance.actor._meta.concrete_fields}
    return data


def send_back(client: Client, path: str, action: str | None = None):
    page = client.get(path)
    assert page.status_code == 200, path
    return client.post(action or path, untouched_form(page.content.decode(), action))


def test_the_profile_form_shows_the_fields_of_work_and_an_untouched_save_keeps_them():
    kita = member("kita", fields=("kinder-jugend", "bildung"))
    client = logged_in(kita)
    form = untouched_form(client.get("/members/kita/edit/").content.decode())
    assert sorted(form["fields_of_work"]) == ["bildung", "kinder-jugend"]  # the boxes are ticked
    before = rows(kita.member_profile)
    assert send_back(client, "/members/kita/edit/").status_code == 302
    assert rows(kita.member_profile) == before
    assert "Kita" in Client().get("/members/?field=bildung").content.decode()


def test_every_demo_profile_scout_and_event_material_form_saves_unchanged():
    demo_data_create()
    staff = get_user_model().objects.create_user("redaktion", password="staff-pass-123", is_staff=True)
    client = Client()
    client.force_login(staff)
    profiles = MemberProfile.objects.filter(actor__local=True).select_related("actor")
    assert profiles.count() > 20
    for profile in profiles:
        handle = profile.actor.username
        before = rows(profile)
        assert before["m2m"]["fields_of_work"], handle
        response = send_back(client, f"/members/{handle}/edit/")
        assert response.status_code == 302, (handle, response.content.decode()[:2000])
        assert rows(profile) == before, handle
    for scout in ScoutProfile.objects.select_related("actor"):
        before = rows(scout)
        response = send_back(client, f"/scouts/{scout.actor.username}/edit/")
        assert response.status_code == 302, scout.actor.username
        assert rows(scout) == before, scout.actor.username
    events = Post.objects.filter(type=PostType.EVENT, local=True).exclude(extra__material=None)
    for event in events:
        before = Post.objects.filter(pk=event.pk).values().get()
        client.force_login(event.author.user or staff)
        send_back(client, f"/events/{event.id}/", action=f"/events/{event.id}/material")
        assert Post.objects.filter(pk=event.pk).values().get() == before, event.id
