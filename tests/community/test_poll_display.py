"""A poll shows its options and results on the post's card and page, without JavaScript; hidden totals stay hidden
until the poll ends."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from posts.models import Poll
from posts.services.polls import PollSpec, poll_vote
from posts.services.publishing import post_create
from tests.community.site import member

pytestmark = pytest.mark.django_db


def asked(author, *, hide_totals: bool = False):
    return post_create(author=author, text="Wann feiern wir?", poll=PollSpec(
        options=("Freitag", "Samstag"), expires_in=3600, hide_totals=hide_totals))


def test_the_post_page_and_the_feed_show_the_results():
    kita, hort, tafel = member("kita"), member("hort"), member("tafel")
    post = asked(kita)
    poll_vote(poll=post.poll, voter=hort, choices=[1])
    poll_vote(poll=Poll.objects.get(pk=post.id), voter=tafel, choices=[1])
    page = Client().get(f"/posts/{post.id}/").content.decode()
    assert 'class="poll"' in page and "Freitag" in page and "Samstag" in page
    assert "100 % (2 Stimmen)" in page and "0 % (0 Stimmen)" in page and "2 Personen haben abgestimmt" in page
    assert '<meter min="0" max="100" value="100" aria-hidden="true">' in page and "endet" in page
    english = Client().get(f"/posts/{post.id}/", HTTP_COOKIE="django_language=en").content.decode()
    assert "(2 votes)" in english and "2 people voted" in english
    assert "100 % (2 Stimmen)" in Client().get("/").content.decode()


def test_hidden_totals_show_once_the_poll_ended():
    kita, hort = member("kita"), member("hort")
    post = asked(kita, hide_totals=True)
    poll_vote(poll=post.poll, voter=hort, choices=[0])
    page = Client().get(f"/posts/{post.id}/").content.decode()
    assert "Freitag" in page and "Stimme" not in page.split('class="poll"')[1].split("</ul>")[0]
    Poll.objects.filter(pk=post.id).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().get(f"/posts/{post.id}/").content.decode()
    assert "100 % (1 Stimme)" in page and "beendet" in page


def test_a_card_already_rendered_shows_the_poll_ended():
    """Post cards are kept per process: a poll's end comes with time, touching no row, and must still show."""
    post = asked(member("kita"))
    assert "endet" in Client().get("/feed/").content.decode().split('class="poll"')[1]
    Poll.objects.filter(pk=post.id).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "beendet" in Client().get("/feed/").content.decode().split('class="poll"')[1]
