"""/authorize_interaction?uri=…: the remote interaction page WebFinger's subscribe template points to."""

import pytest
from django.conf import settings
from django.test import Client

from actors.models import Follow
from actors.services.local import organization_create
from posts.models import Like, Post
from posts.services.errors import PostError
from posts.services.publishing import post_create

pytestmark = pytest.mark.django_db


def org(username):
    return organization_create(username=username, email=f"{username}@example.org", password="member-pass-1",
                               display_name=username.title())


def test_a_logged_in_member_follows_through_the_page():
    kita, pflege = org("kita"), org("pflege")
    client = Client()
    anonymous = client.get("/authorize_interaction", {"uri": pflege.uri})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/auth/login/?next=")
    client.force_login(kita.user)
    page = client.get("/authorize_interaction", {"uri": pflege.uri})
    assert page.status_code == 200 and "Pflege folgen?" in page.content.decode()
    done = client.post("/authorize_interaction", {"uri": "acct:pflege@testserver"})
    assert done.status_code == 200 and Follow.objects.filter(follower=kita, target=pflege).exists()
    assert "Sie folgen diesem Konto" in done.content.decode()


def test_missing_unknown_and_own_accounts_get_a_friendly_refusal():
    kita = org("kita")
    client = Client()
    assert client.get("/authorize_interaction").status_code == 400
    client.force_login(kita.user)
    assert client.get("/authorize_interaction", {"uri": "acct:niemand@testserver"}).status_code == 422
    assert client.get("/authorize_interaction", {"uri": kita.uri}).status_code == 422
    assert not Follow.objects.exists()


def test_a_post_uri_shows_the_post_and_the_member_replies_likes_and_boosts():
    kita, pflege = org("kita"), org("pflege")
    post = post_create(author=pflege, text="Wer hilft beim Sommerfest?")
    client = Client()
    client.force_login(kita.user)
    page = client.get("/authorize_interaction", {"uri": post.uri})
    text = page.content.decode()
    assert page.status_code == 200 and "Sommerfest" in text and 'value="like"' in text and 'value="boost"' in text
    assert client.post("/authorize_interaction", {"uri": post.url, "action": "like"}).status_code == 200
    assert client.post("/authorize_interaction", {"uri": post.uri, "action": "boost"}).status_code == 200
    replied = client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": "Wir!"})
    assert replied.status_code == 200 and 'value="like"' not in replied.content.decode()
    assert Like.objects.filter(actor=kita, post=post).exists()
    assert Post.objects.filter(author=kita, boost_of=post).exists()
    assert Post.objects.filter(author=kita, in_reply_to=post, content__contains="Wir!").exists()
    assert client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": " "}).status_code == 422
    # PostgreSQL keeps no NUL in text: the reply's insert failed there (a 500), and so did the lookup of an address
    # with one; the page says so, and the services that store posts and resolve addresses refuse one for every caller
    nul = client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": "Wir\x00!"})
    assert nul.status_code == 422 and "Nullzeichen (NUL" in nul.content.decode()
    assert client.get("/authorize_interaction", {"uri": f"{post.uri}\x00"}).status_code == 422
    assert client.get("/authorize_interaction", {"uri": "acct:pflege\x00@testserver"}).status_code == 422
    with pytest.raises(PostError, match="NUL"):
        post_create(author=kita, text="Wir\x00!", in_reply_to=post)
    with pytest.raises(PostError, match="NUL"):
        post_create(author=kita, text="Wir!", summary="\x00")
    assert Post.objects.filter(author=kita, in_reply_to=post).count() == 1
    assert client.post("/authorize_interaction", {"uri": post.uri, "action": "delete"}).status_code == 400


def test_the_page_speaks_english_too():
    kita, pflege = org("kita"), org("pflege")
    post = post_create(author=pflege, text="Wer hilft beim Sommerfest?")
    client = Client(headers={"Accept-Language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(kita.user)
    text = client.get("/authorize_interaction", {"uri": post.uri}).content.decode()
    for english in ("Interact with a post", "Your reply", "Reply", "Like", "Boost"):
        assert english in text
    assert "Follow Pflege?" in client.get("/authorize_interaction", {"uri": pflege.uri}).content.decode()
    followed = client.post("/authorize_interaction", {"uri": pflege.uri}).content.decode()
    assert "You follow this account (or have asked to)." in followed
    assert "You cannot follow yourself." in client.get("/authorize_interaction", {"uri": kita.uri}).content.decode()
    client.post("/authorize_interaction", {"uri": post.uri, "action": "like"})
    liked = client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": "Gern"}).content.decode()
    assert "You like this post." in liked and "Your reply is published." in liked


def test_a_refused_reply_keeps_what_the_member_typed():
    """The post again with the refusal beside the reply field and the text as typed (a NUL taken out), not a page
    that has lost it; a like or boost refused still gets the page of its own."""
    kita, pflege = org("kita"), org("pflege")
    post = post_create(author=pflege, text="Wer hilft beim Sommerfest?")
    client = Client()
    client.force_login(kita.user)
    typed = "\nWir bringen Kuchen & <Saft> mit. " + "x" * 5000
    page = client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": typed})
    text = page.content.decode()
    assert page.status_code == 422 and "Sommerfest" in text
    assert page.context["reply"] == typed and page.context["reply_error"] == "Ein Beitrag hat höchstens 5000 Zeichen."
    assert 'aria-describedby="reply-error">\n\nWir bringen Kuchen &amp; &lt;Saft&gt; mit. x' in text  # escaped, whole
    nul = client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": "Wir\x00!"})
    assert nul.status_code == 422 and nul.context["reply"] == "Wir!" and "\x00" not in nul.content.decode()
    assert not Post.objects.filter(author=kita).exists()
    hidden = post_create(author=pflege, text="Nur für Folgende", visibility="private")
    Follow.objects.create(follower=kita, target=pflege, uri="https://testserver/f", state="accepted")
    refused = client.post("/authorize_interaction", {"uri": hidden.uri, "action": "boost"})
    assert refused.status_code == 422 and "Das hat nicht geklappt" in refused.content.decode()
    assert 'id="reply-text"' not in refused.content.decode()
