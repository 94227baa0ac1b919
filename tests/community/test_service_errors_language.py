"""A service's refusal shown on a website page is in the page's language: a reply that is too long or empty and an
account that cannot be found or followed (the interaction page), a cover image that is too large (the blog editor),
a registration for an event that is over (the event page). German without a header and with `Accept-Language: de`,
English with `en`; the right status, and nothing stored. The services' `str()` stays English in any language: the
client API answers it as Mastodon does. (LocalizedError: fediverse_node/errors.py.)"""

import html
import io
import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone, translation
from PIL import Image

from actors.models import Follow
from actors.services.blocks import block_create
from actors.services.follow import FollowBlocked, follow_request
from actors.services.local import UsernameError, organization_create, username_check
from actors.services.remote import ResolveError, actor_resolve
from fediverse_node.errors import LocalizedError, localized
from fediverse_node.protocol.webfinger import parse_handle
from posts.models import Attachment, Participation, Post
from posts.services.errors import PostError
from posts.services.events import EventError, event_create, event_join
from posts.services.media import MediaError, focus_parse
from posts.services.publishing import post_create
from tests.clientapi.conftest import issue_token

pytestmark = pytest.mark.django_db
# (the Accept-Language header or none, the language the page must speak)
LANGUAGES = [(None, "de"), ("de", "de"), ("en", "en")]


def org(username: str):
    return organization_create(username=username, email=f"{username}@example.org", password="member-pass-1",
                               display_name=username.title())


def client_for(user, header: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=header) if header else Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def says(response, sentences: dict[str, str], language: str) -> bool:
    """The page is in `language` and says its sentence, and not the other language's."""
    text = page_text(response)
    other = "en" if language == "de" else "de"
    return f'lang="{language}"' in text and sentences[language] in text and sentences[other] not in text


REPLY_REFUSALS = [
    ("x" * 5001, {"de": "Ein Beitrag hat höchstens 5000 Zeichen.", "en": "A post has at most 5000 characters."}),
    (" ", {"de": "Ein Beitrag braucht Text oder mindestens einen Anhang.",
           "en": "A post needs text or at least one attachment."}),
]


@pytest.mark.parametrize("text, sentences", REPLY_REFUSALS, ids=["too long", "empty"])
def test_a_reply_the_post_service_refuses_is_refused_in_the_page_language(text, sentences):
    kita, pflege = org("kita"), org("pflege")
    post = post_create(author=pflege, text="Wer hilft beim Sommerfest?")
    for header, language in LANGUAGES:
        client = client_for(kita.user, header)
        response = client.post("/authorize_interaction", {"uri": post.uri, "action": "reply", "text": text})
        assert response.status_code == 422 and says(response, sentences, language), (header, page_text(response))
    assert not Post.objects.filter(author=kita).exists()


def test_an_account_that_cannot_be_found_is_named_in_the_page_language():
    kita = org("kita")
    # both refused before any request leaves the node: an unknown name on this node's own domain, and no handle at all
    unknown = {"de": "Dieses Konto ist nicht zu finden: Auf diesem Server gibt es kein Konto namens 'nobody'.",
               "en": "This account cannot be found: No local actor named 'nobody'."}
    no_handle = {"de": "Dieses Konto ist nicht zu finden: 'nobody' ist keine Adresse der Form @name@example.org",
                 "en": "This account cannot be found: 'nobody' is not a handle like @user@example.org"}
    for uri, sentences in [(f"nobody@{settings.FEDINODE_DOMAIN}", unknown), ("nobody", no_handle)]:
        for header, language in LANGUAGES:
            client = client_for(kita.user, header)
            for response in (client.get("/authorize_interaction", {"uri": uri}),
                             client.post("/authorize_interaction", {"uri": uri})):
                assert response.status_code == 422 and says(response, sentences, language), (uri, header)
    assert not Follow.objects.exists()


def test_an_account_one_cannot_follow_is_refused_in_the_page_language():
    kita, pflege = org("kita"), org("pflege")
    block_create(actor=pflege, target=kita)
    sentences = {"de": "Diesem Konto können Sie nicht folgen: eines der beiden Konten blockiert das andere.",
                 "en": "This account cannot be followed: one of you blocks the other."}
    for header, language in LANGUAGES:
        response = client_for(kita.user, header).post("/authorize_interaction", {"uri": pflege.uri})
        assert response.status_code == 422 and says(response, sentences, language), header
    assert not Follow.objects.exists()


def noise_png(side: int) -> bytes:
    """A PNG of random pixels, which compresses to about its raw size (side² × 3 bytes)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


@override_settings(FEDINODE_MEDIA_MAX_BYTES=1024 * 1024)
def test_a_cover_the_media_service_refuses_is_refused_at_its_field_in_the_page_language():
    kita = org("kita")
    image = noise_png(700)  # ~1.4 MB: a valid image for the form's field, too large for the media service
    assert len(image) > 1024 * 1024
    sentences = {"de": "Die Datei ist größer als 1 MB.", "en": "The file is larger than 1 MB."}
    for header, language in LANGUAGES:
        fields = {"title": "Sommerfest", "body": "Wir feiern.", "cover_description": "Ein Bild",
                  "cover": SimpleUploadedFile("cover.png", image, content_type="image/png")}
        response = client_for(kita.user, header).post("/blog/write/", fields)
        assert response.status_code == 400 and says(response, sentences, language), header
    assert not Post.objects.exists() and not Attachment.objects.exists()


def test_an_article_that_is_empty_or_too_long_is_refused_in_the_page_language():
    """The editor's form refuses these before the post service (Django's own messages); the page's language holds."""
    kita = org("kita")
    required = {"de": "Dieses Feld ist zwingend erforderlich.", "en": "This field is required."}
    too_long = {"de": "aus höchstens 100000 Zeichen besteht", "en": "has at most 100000 characters"}
    for body, sentences in [(" ", required), ("x" * 100_001, too_long)]:
        for header, language in LANGUAGES:
            response = client_for(kita.user, header).post("/blog/write/", {"title": "Sommerfest", "body": body})
            assert response.status_code == 400 and says(response, sentences, language), header
    assert not Post.objects.exists()


def test_a_registration_for_an_event_that_is_over_is_refused_in_the_page_language():
    kita, pflege = org("kita"), org("pflege")
    start = timezone.now() - timedelta(days=2)
    past = event_create(author=pflege, name="Webinar", text="Worum es geht", starts_at=start,
                        ends_at=start + timedelta(hours=1))
    sentences = {"de": "Diese Veranstaltung ist vorbei.", "en": "This event is over."}
    for header, language in LANGUAGES:
        response = client_for(kita.user, header).post(f"/events/{past.id}/register", follow=True)
        assert response.redirect_chain[0][1] == 302 and says(response, sentences, language), header
    assert not Participation.objects.exists()


def refusals() -> list[LocalizedError]:
    """One of each service error, raised by the services themselves."""
    kita, pflege = org("kita"), org("pflege")
    errors: list[LocalizedError] = []
    past = event_create(author=pflege, name="Webinar", text="x", starts_at=timezone.now() - timedelta(days=2),
                        ends_at=timezone.now() - timedelta(days=1))
    block_create(actor=pflege, target=kita)
    for call in (lambda: post_create(author=kita, text="x" * 5001), lambda: post_create(author=kita, text=""),
                 lambda: focus_parse("2,2"), lambda: actor_resolve(f"nobody@{settings.FEDINODE_DOMAIN}"),
                 lambda: actor_resolve("nobody"), lambda: follow_request(follower=kita, target=pflege),
                 lambda: event_join(actor=kita, event=past), lambda: username_check("kita")):
        with pytest.raises(LocalizedError) as refused:
            call()
        errors.append(refused.value)
    return errors


ENGLISH = [
    (PostError, "A post has at most 5000 characters."), (PostError, "A post needs text or at least one attachment."),
    (MediaError, "The focus must be two numbers 'x,y' between -1 and 1."),
    (ResolveError, "No local actor named 'nobody'."), (ResolveError, "'nobody' is not a handle like @user@example.org"),
    (FollowBlocked, "This account cannot be followed: one of you blocks the other."),
    (EventError, "This event is over."), (UsernameError, "The username 'kita' is taken."),
]


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_service_error_stays_english_in_any_language_and_translates_when_asked(language):
    with translation.override(language):
        errors = refusals()
        for error, (kind, english) in zip(errors, ENGLISH, strict=True):
            assert isinstance(error, kind) and str(error) == english and error.args == (english,)
            assert localized(error) == error.localized()
            assert (error.localized() == english) is (language == "en"), (error.localized(), english)
    # what the protocol core says of a handle, word for word
    with pytest.raises(ValueError) as core:
        parse_handle("nobody")
    assert str(core.value) == ENGLISH[4][1]
    assert localized(ValueError("as it is")) == "as it is"


def test_the_client_api_answers_in_english_whatever_the_accept_language():
    kita = org("kita")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(kita)}", HTTP_ACCEPT_LANGUAGE="de")
    response = client.post("/api/v1/statuses", {"status": "x" * 5001})
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: A post has at most 5000 characters."}
    assert not Post.objects.exists()


def test_an_unreachable_server_is_said_in_the_page_language_to_its_last_clause():
    """The fetch failure inside "cannot be found" (the protocol core's FetchError) is translated too, down to why the
    connection failed, in words instead of the HTTP library's. The port is a free one on loopback: the connection
    is refused."""
    from tests.nodes import free_loopback_address

    kita = org("kita")
    host, port = free_loopback_address()
    handle = f"nobody@{host}:{port}"
    webfinger = f"http://{host}:{port}/.well-known/webfinger"
    sentences = {"de": f"Dieses Konto ist nicht zu finden: {handle} war über WebFinger nicht zu finden: {webfinger}",
                 "en": f"This account cannot be found: Could not find {handle} by WebFinger: cannot fetch {webfinger}"}
    for header, language in LANGUAGES:
        response = client_for(kita.user, header).get("/authorize_interaction", {"uri": handle})
        text = page_text(response)
        assert response.status_code == 422 and says(response, sentences, language), (header, text)
        because = {"de": "ist nicht erreichbar: der Server hat die Verbindung abgelehnt",
                   "en": "it refused the connection"}
        assert because[language] in text and "Max retries" not in text, text
    assert not Follow.objects.exists()


def test_a_fetch_error_inside_a_fetch_error_is_said_in_the_active_language():
    from fediverse_node.protocol.fetcher import FetchError

    inner = FetchError("%(host)s resolves to a private or reserved address", host="intern.example")
    outer = FetchError("refusing %(url)s: %(error)s", url="'https://intern.example/'", error=inner)
    english = "refusing 'https://intern.example/': intern.example resolves to a private or reserved address"
    assert str(outer) == english
    with translation.override("de"):
        assert str(outer) == english
        assert localized(outer) == ("'https://intern.example/' wird nicht abgerufen: intern.example verweist auf eine "
                                    "private oder reservierte Adresse")
    with translation.override("en"):
        assert localized(outer) == english


def test_a_document_that_is_no_account_is_said_in_the_page_language():
    """A loopback peer whose WebFinger names an address that answers with a Note: the parser's refusal (the
    protocol core's VocabError) is said in the page's language too."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.loopback_http import serve_thread

    class Peer(BaseHTTPRequestHandler):
        def do_GET(self):
            base = f"http://{self.headers['Host']}"
            if self.path.startswith("/.well-known/webfinger"):
                body = {"subject": "acct:nobody", "links": [
                    {"rel": "self", "type": "application/activity+json", "href": f"{base}/users/nobody"}]}
                kind = "application/jrd+json"
            else:
                body, kind = {"id": f"{base}/users/nobody", "type": "Note", "content": "kein Konto"}, \
                    "application/activity+json"
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    thread: threading.Thread = serve_thread(server)
    thread.start()
    try:
        kita = org("kita")
        handle = f"nobody@127.0.0.1:{server.server_address[1]}"
        sentences = {"de": "Dieses Konto ist nicht zu finden: Das ist kein Konto, sondern vom Typ 'Note'.",
                     "en": "This account cannot be found: Not an actor: type 'Note'."}
        for header, language in LANGUAGES:
            response = client_for(kita.user, header).get("/authorize_interaction", {"uri": handle})
            assert response.status_code == 422 and says(response, sentences, language), (header, page_text(response))
    finally:
        server.shutdown()
        server.server_close()
    assert not Follow.objects.exists()
