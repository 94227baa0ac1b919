"""Hostile cases, one table per line of defence. Every case goes through the real code path (the inbox over the
Django test client, the fetcher's address guard, the media service, the client API, the OAuth pages) and checks
both that it is refused and that nothing was stored or changed."""

import io
import struct
import zlib
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from oauth2_provider.models import Grant
from PIL import Image

from actors.models import Actor, Follow, FollowState
from actors.services.domains import domain_block, domain_is_blocked, domain_unblock
from actors.services.remote import actor_fetch
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from inbox.fastpath import InboxFastPath
from inbox.models import InboxItem, InboxState
from posts.models import Attachment, Post
from posts.services.media import MediaError, media_create
from posts.services.publishing import post_create
from posts.services.remote import post_upsert_remote
from tests.clientapi.conftest import Api, issue_token
from tests.interop.bovine_peer import BovinePeer

from .hostile import (
    World,
    digest_of,
    http_date,
    peer_headers,
    post_to_inbox,
    stored_state,
)

pytestmark = pytest.mark.django_db(transaction=True)


def assert_refused(response, status: int, before: tuple) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert orjson.loads(response.content)["error"]
    assert InboxItem.objects.count() == 0
    assert stored_state() == before


# ---------------------------------------------------------------- 1. the inbox's transport checks

def _follow(world: World) -> bytes:
    return orjson.dumps(world.follow())


def forged_signature(world):
    body = _follow(world)
    return body, peer_headers(world, body, private_pem=world.other.private_pem)


def key_of_another_actor_on_the_same_server(world):
    body = _follow(world)
    return body, peer_headers(world, body, key_id=f"{world.mate_id}#main-key", private_pem=world.mate_private_pem)


def key_on_another_origin(world):
    body = _follow(world)
    return body, peer_headers(world, body, key_id=f"{world.other.actor_id}#main-key",
                              private_pem=world.other.private_pem)


def signature_over_other_headers_than_claimed(world):
    body = _follow(world)
    return body, peer_headers(world, body, names=("host", "date", "digest"), claimed_names=(
        "(request-target)", "host", "date", "digest"))


def signature_without_request_target(world):
    # Valid over host, date and digest only: replayable to any path (Mastodon requires (request-target) too).
    body = _follow(world)
    return body, peer_headers(world, body, names=("host", "date", "digest"))


def signature_for_another_path(world):
    body = _follow(world)
    return body, peer_headers(world, body, signed_values={"(request-target)": "post /actors/ziel/outbox"})


def signature_for_another_host(world):
    body = _follow(world)
    return body, peer_headers(world, body, signed_values={"host": "victim.example"})


def missing_digest(world):
    body = _follow(world)
    return body, peer_headers(world, body, names=("(request-target)", "host", "date"), send_digest=False)


def digest_signed_but_not_sent(world):
    body = _follow(world)
    return body, peer_headers(world, body, send_digest=False)


def wrong_digest(world):
    body = _follow(world)
    return body, peer_headers(world, body, digest=digest_of(b"another body"))


def digest_of_unknown_algorithm(world):
    body = _follow(world)
    return body, peer_headers(world, body, digest="MD5=Zm9vYmFy")


def stale_date(world):
    body = _follow(world)
    return body, peer_headers(world, body, date=http_date(datetime.now(UTC) - timedelta(hours=13)))


def future_date(world):
    body = _follow(world)
    return body, peer_headers(world, body, date=http_date(datetime.now(UTC) + timedelta(hours=13)))


def unparseable_date(world):
    body = _follow(world)
    return body, peer_headers(world, body, date="yesterday at noon")


def unsupported_algorithm(world):
    body = _follow(world)
    return body, peer_headers(world, body, algorithm="hmac-sha256")


def garbage_signature_header(world):
    return _follow(world), {"Date": http_date(), "Signature": 'keyId=",,,"signature=' + "A" * 100}


def unsigned(world):
    body = _follow(world)
    return body, {"Date": http_date(), "Digest": digest_of(body)}


def actor_is_not_the_signer(world):
    body = orjson.dumps(world.activity("Follow", world.target.uri, actor=world.mate_id))
    return body, peer_headers(world, body)


def activity_id_on_another_origin(world):
    body = orjson.dumps(world.follow() | {"id": f"{world.other.base}/activities/follow-1"})
    return body, peer_headers(world, body)


def not_json(world):
    body = b"<html>not an activity</html>"
    return body, peer_headers(world, body)


def json_array(world):
    body = orjson.dumps([world.follow()])
    return body, peer_headers(world, body)


def activity_without_type(world):
    body = orjson.dumps({k: v for k, v in world.follow().items() if k != "type"})
    return body, peer_headers(world, body)


def deeply_nested_json(world):
    body = orjson.dumps(world.follow()).replace(b'"object":', b'"object":' + b"[" * 200, 1)
    body = body[:-1] + b"]" * 200 + b"}"
    return body, peer_headers(world, body)


def very_long_string(world):
    # Over the 1 MiB cap: refused on its declared length before it is parsed or its signer looked up.
    body = orjson.dumps(world.follow() | {"summary": "A" * (2 * 1024 * 1024)})
    return body, peer_headers(world, body)


def from_a_blocked_server(world):
    domain_block(name=f"{world.peer.host}:{world.peer.port}")
    return _follow_signed(world)


def from_a_suspended_actor(world):
    Actor.objects.filter(uri=world.peer.actor_id).update(suspended=True)
    return _follow_signed(world)


def _follow_signed(world):
    body = _follow(world)
    return body, peer_headers(world, body)


TRANSPORT_CASES = [
    (forged_signature, 401),
    (key_of_another_actor_on_the_same_server, 401),
    (key_on_another_origin, 401),
    (signature_over_other_headers_than_claimed, 401),
    (signature_without_request_target, 401),
    (signature_for_another_path, 401),
    (signature_for_another_host, 401),
    (missing_digest, 401),
    (digest_signed_but_not_sent, 401),
    (wrong_digest, 401),
    (digest_of_unknown_algorithm, 401),
    (stale_date, 401),
    (future_date, 401),
    (unparseable_date, 401),
    (unsupported_algorithm, 401),
    (garbage_signature_header, 401),
    (unsigned, 401),
    (actor_is_not_the_signer, 401),
    (activity_id_on_another_origin, 400),
    (not_json, 400),
    (json_array, 400),
    (activity_without_type, 400),
    (deeply_nested_json, 400),
    (very_long_string, 413),
    (from_a_blocked_server, 403),
    (from_a_suspended_actor, 403),
]


@pytest.mark.parametrize(
    "build, status", [pytest.param(b, s, id=b.__name__) for b, s in TRANSPORT_CASES]
)
def test_inbox_refuses(client, world, build, status):
    before = stored_state()
    body, headers = build(world)
    assert_refused(post_to_inbox(client, body, headers), status, before)


def test_a_malformed_signature_does_not_make_us_refetch_the_key(client, world, monkeypatch):
    """Only a signature that fails to verify can be explained by a rotated key: anything else must not cost us
    (or the peer's server) a second fetch."""
    from inbox import services

    calls: list[bool] = []
    real = services.public_key_for
    monkeypatch.setattr(services, "public_key_for", lambda key_id, refresh=False: calls.append(refresh) or real(
        key_id, refresh=refresh))
    before = stored_state()
    body, headers = signature_without_request_target(world)
    assert_refused(post_to_inbox(client, body, headers), 401, before)
    assert calls == [False]
    body, headers = forged_signature(world)
    assert_refused(post_to_inbox(client, body, headers), 401, before)
    assert calls == [False, True]  # a bad signature: the key is fetched once more, then refused


def test_the_honest_request_of_the_table_is_accepted(client, world):
    """The control: the same helpers, signed honestly, get 202 (so each refusal above is the hostile part)."""
    body = _follow(world)
    assert post_to_inbox(client, body, peer_headers(world, body)).status_code == 202


def test_replayed_activity_is_stored_once(client, world):
    body = _follow(world)
    headers = peer_headers(world, body)
    assert [post_to_inbox(client, body, headers).status_code for _ in range(3)] == [202, 202, 202]
    assert InboxItem.objects.filter(activity_id=world.follow()["id"]).count() == 1
    assert Follow.objects.filter(follower__uri=world.peer.actor_id).count() == 1


class NoReading(io.RawIOBase):
    """A request body that fails the test if anyone reads more than a few bytes of it."""

    def read(self, size=-1):
        raise AssertionError("the body was read although its declared length is over the cap")

    readline = read


def test_fifty_megabyte_body_is_413_unread_by_the_django_view(client, world):
    before = stored_state()
    response = client.generic(
        "POST", "/inbox", b"", content_type="application/activity+json", HTTP_HOST="testserver",
        CONTENT_LENGTH=str(50 * 1024 * 1024), **{"wsgi.input": NoReading()},
    )
    assert_refused(response, 413, before)


def test_fifty_megabyte_body_is_413_unread_by_the_fast_path(world):
    before = stored_state()
    started: list[str] = []
    app = InboxFastPath(lambda environ, start_response: pytest.fail("the fast path handed the POST on"))
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/inbox", "CONTENT_LENGTH": str(50 * 1024 * 1024),
        "CONTENT_TYPE": "application/activity+json", "HTTP_HOST": "testserver", "wsgi.input": NoReading(),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(app(environ, lambda status, headers: started.append(status)))
    assert started == ["413 Content Too Large"] and orjson.loads(body)["error"]
    assert InboxItem.objects.count() == 0 and stored_state() == before


def test_a_domain_block_covers_subdomains_and_can_be_lifted(db):
    domain_block(name="example.org")
    assert domain_is_blocked("https://social.example.org/users/a")
    assert domain_is_blocked("https://example.org/users/a")
    assert not domain_is_blocked("https://notexample.org/users/a")
    domain_unblock(name="example.org")
    assert not domain_is_blocked("https://social.example.org/users/a")


# ---------------------------------------------------------------- 2. the handlers: accepted for storage, then refused

def _serve(server: BovinePeer, document: dict) -> dict:
    server.serve(document)
    return document


def create_with_object_on_another_origin_that_is_not_served(world):
    return world.activity("Create", world.note(world.other, "spoof", author=world.peer.actor_id))


def create_with_object_on_another_origin_by_its_real_author(world):
    _serve(world.other, world.note(world.other, "real", content="the original"))
    return world.activity("Create", world.note(world.other, "real", author=world.peer.actor_id, content="spoofed"))


def create_with_object_on_another_origin_claiming_the_sender(world):
    # The other server even vouches for the sender, but a post lives on its author's server (as in Mastodon).
    _serve(world.other, world.note(world.other, "claimed", author=world.peer.actor_id, content="spoofed"))
    return world.activity("Create", world.note(world.other, "claimed", author=world.peer.actor_id, content="spoofed"))


def create_by_reference_to_a_missing_object(world):
    return world.activity("Create", f"{world.peer.base}/notes/missing")


def create_attributed_to_another_actor_of_the_same_server(world):
    return world.activity("Create", world.note(world.peer, "ghost", author=world.mate_id, content="in mate's name"))


def _victim_post(world: World, server: BovinePeer, slug: str) -> Post:
    victim = Actor.objects.get(uri=world.mate_id) if server is world.peer else Actor.objects.get(
        uri=server.actor_id)
    note = world.note(server, slug, author=victim.uri, content="the victim's words")
    _serve(server, note)
    return post_upsert_remote(obj=note, author=victim)


def update_of_a_post_by_another_actor_of_the_same_server(world):
    post = _victim_post(world, world.peer, "victim")
    return world.activity("Update", world.note(world.peer, "victim", content="defaced") | {"id": post.uri})


def update_of_a_post_in_its_authors_name(world):
    post = _victim_post(world, world.peer, "victim")
    return world.activity("Update", world.note(world.peer, "victim", author=world.mate_id, content="defaced")
                          | {"id": post.uri})


def update_of_a_post_on_another_origin(world):
    post = _victim_post(world, world.other, "victim")
    return world.activity("Update", world.note(world.other, "victim", author=world.peer.actor_id,
                                               content="defaced") | {"id": post.uri})


def update_of_another_actors_profile(world):
    return world.activity("Update", {"id": world.other.actor_id, "type": "Person", "name": "hacked",
                                     "summary": "hacked", "inbox": f"{world.other.base}/inbox"})


def delete_of_a_post_by_another_actor(world):
    return world.activity("Delete", _victim_post(world, world.peer, "victim").uri)


def delete_of_a_post_on_another_origin(world):
    return world.activity("Delete", {"id": _victim_post(world, world.other, "victim").uri, "type": "Tombstone"})


def delete_of_a_local_post(world):
    post = post_create(author=world.target, text="Unsere Nachricht")
    return world.activity("Delete", post.uri)


def delete_of_another_actor(world):
    return world.activity("Delete", world.other.actor_id)


def announce_of_an_object_its_origin_does_not_serve(world):
    return world.activity("Announce", world.note(world.other, "forged", content="forged"))


def announce_of_an_object_whose_author_is_elsewhere(world):
    # Served by its server, but attributed to an actor of another server.
    _serve(world.other, world.note(world.other, "forged", author=world.peer.actor_id, content="forged"))
    return world.activity("Announce", f"{world.other.base}/notes/forged")


def announce_relaying_a_forged_create(world):
    inner = {"id": f"{world.other.base}/activities/create-x", "type": "Create", "actor": world.other.actor_id,
             "object": world.note(world.other, "forged", content="forged")}
    return world.activity("Announce", inner)


def announce_relaying_a_create_of_someone_elses_object(world):
    _serve(world.other, world.note(world.other, "theirs", content="by the bystander"))
    inner = {"id": f"{world.peer.base}/activities/create-x", "type": "Create", "actor": world.mate_id,
             "object": f"{world.other.base}/notes/theirs"}
    return world.activity("Announce", inner)


def undo_of_someone_elses_follow(world):
    bystander = Actor.objects.get(uri=world.other.actor_id)
    follow = Follow.objects.create(follower=bystander, target=world.target, uri=f"{world.other.base}/follows/1",
                                   state=FollowState.ACCEPTED)
    return world.activity("Undo", {"id": follow.uri, "type": "Follow", "actor": bystander.uri,
                                   "object": world.target.uri})


def accept_of_a_follow_sent_to_someone_else(world):
    follow = Follow.objects.create(follower=world.target, target=Actor.objects.get(uri=world.other.actor_id),
                                   uri=f"{world.target.uri}#follows/1", state=FollowState.PENDING)
    return world.activity("Accept", {"id": follow.uri, "type": "Follow", "actor": world.target.uri,
                                     "object": world.other.actor_id})


HANDLER_CASES = [
    create_with_object_on_another_origin_that_is_not_served,
    create_with_object_on_another_origin_by_its_real_author,
    create_with_object_on_another_origin_claiming_the_sender,
    create_by_reference_to_a_missing_object,
    create_attributed_to_another_actor_of_the_same_server,
    update_of_a_post_by_another_actor_of_the_same_server,
    update_of_a_post_in_its_authors_name,
    update_of_a_post_on_another_origin,
    update_of_another_actors_profile,
    delete_of_a_post_by_another_actor,
    delete_of_a_post_on_another_origin,
    delete_of_a_local_post,
    delete_of_another_actor,
    announce_of_an_object_its_origin_does_not_serve,
    announce_of_an_object_whose_author_is_elsewhere,
    announce_relaying_a_forged_create,
    announce_relaying_a_create_of_someone_elses_object,
    undo_of_someone_elses_follow,
    accept_of_a_follow_sent_to_someone_else,
]


@pytest.mark.parametrize("build", [pytest.param(b, id=b.__name__) for b in HANDLER_CASES])
def test_handlers_change_nothing(client, world, build):
    """Signed by the sender, so stored as an InboxItem and answered 202; the handler then refuses to apply it."""
    activity = build(world)
    before = stored_state()
    body = orjson.dumps(activity)
    response = post_to_inbox(client, body, peer_headers(world, body))
    assert response.status_code == 202, response.content
    item = InboxItem.objects.get(activity_id=activity["id"])
    assert item.state in (InboxState.IGNORED, InboxState.PROCESSED), item.error
    assert stored_state() == before
    assert not Post.objects.filter(content__in=["spoofed", "defaced", "forged"]).exists()


# ---------------------------------------------------------------- 3. remote HTML is sanitised on storage

HOSTILE_HTML = (
    '<p>Hallo</p><script>alert(1)</script><img src="x" onerror="alert(2)">'
    '<a href="javascript:alert(3)" onclick="alert(4)">klick</a><iframe src="https://evil.example"></iframe>'
    '<p style="background:url(javascript:alert(5))" onmouseover="alert(6)">Text</p>'
)


def _assert_harmless(html: str) -> None:
    lowered = html.lower()
    for needle in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<iframe", "<img", "style="):
        assert needle not in lowered, html


def test_post_html_is_sanitised_on_storage(client, world):
    note = world.note(world.peer, "html", content=HOSTILE_HTML)
    body = orjson.dumps(world.activity("Create", note))
    assert post_to_inbox(client, body, peer_headers(world, body)).status_code == 202
    post = Post.objects.get(uri=note["id"])
    _assert_harmless(post.content)
    assert "Hallo" in post.content and "klick" in post.content


def test_actor_profile_html_is_sanitised_on_storage(client, world):
    world.peer.profile["summary"] = HOSTILE_HTML
    world.peer.profile["attachment"] = [{"type": "PropertyValue", "name": "Web", "value": HOSTILE_HTML}]
    actor = actor_fetch(world.peer.actor_id, refresh=True)
    _assert_harmless(actor.summary)
    _assert_harmless(actor.fields[0]["value"])


# ---------------------------------------------------------------- 4. the fetcher's address guard (no connection)

PRIVATE_NAMES = {
    "rebind.example": ["10.0.0.7"],
    "intranet.example": ["192.168.0.10"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.215.14", "127.0.0.1"],
    "v6-private.example": ["fd12:3456:789a::1"],
    "cgnat.example": ["100.64.1.1"],
    "nothing.example": [],
    "public.example": ["93.184.215.14"],
}


def injected_resolve(host: str) -> list[str]:
    """DNS as the test says: IP literals resolve to themselves, names by the table above."""
    import ipaddress

    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    if host not in PRIVATE_NAMES:
        raise OSError(f"no such host {host}")
    return PRIVATE_NAMES[host]


def guarded_fetcher() -> SafeFetcher:
    return SafeFetcher(allow_private=False, user_agent="hostile-test", resolve=injected_resolve)


SSRF_CASES = {
    "loopback": "https://127.0.0.1/actor",
    "loopback_other_address": "https://127.1.2.3/actor",
    "ten_slash_eight": "https://10.1.2.3/actor",
    "one_seventy_two_sixteen_slash_twelve": "https://172.16.5.4/actor",
    "one_seventy_two_thirty_one": "https://172.31.255.254/actor",
    "one_ninety_two_one_sixty_eight": "https://192.168.1.1/actor",
    "link_local_cloud_metadata": "https://169.254.169.254/latest/meta-data/",
    "ipv6_loopback": "https://[::1]/actor",
    "ipv6_unique_local_fc00": "https://[fc00::1]/actor",
    "ipv6_unique_local_fd": "https://[fd00:abcd::1]/actor",
    "ipv6_link_local": "https://[fe80::1]/actor",
    "ipv4_mapped_ipv6_loopback": "https://[::ffff:127.0.0.1]/actor",
    "ipv4_mapped_ipv6_private": "https://[::ffff:10.0.0.1]/actor",
    "unspecified_zero": "https://0.0.0.0/actor",
    "cgnat_100_64": "https://100.64.0.1/actor",
    "userinfo_hiding_loopback": "https://public.example@127.0.0.1/actor",
    "name_resolving_to_10": "https://rebind.example/actor",
    "name_resolving_to_192_168": "https://intranet.example/actor",
    "name_resolving_to_link_local": "https://metadata.example/actor",
    "name_resolving_to_public_and_loopback": "https://mixed.example/actor",
    "name_resolving_to_ipv6_private": "https://v6-private.example/actor",
    "name_resolving_to_cgnat": "https://cgnat.example/actor",
    "name_resolving_to_nothing": "https://nothing.example/actor",
    "name_that_does_not_resolve": "https://unknown.example/actor",
    "plain_http_in_production": "http://public.example/actor",
    "file_scheme": "file:///etc/passwd",
    "gopher_scheme": "gopher://public.example:70/_stats",
    "ftp_scheme": "ftp://public.example/actor",
    "data_scheme": "data:application/json,{}",
    "javascript_scheme": "javascript:alert(1)",
    "no_host": "https:///actor",
}


@pytest.mark.parametrize("url", [pytest.param(u, id=name) for name, u in SSRF_CASES.items()])
def test_fetcher_refuses_before_connecting(url):
    fetcher = guarded_fetcher()
    fetcher.session.get = fetcher.session.post = lambda *a, **k: pytest.fail("connected to a refused address")
    with pytest.raises(FetchError):
        fetcher.check_url(url)
    with pytest.raises(FetchError):
        fetcher.get_json(url)
    with pytest.raises(FetchError):
        fetcher.post(url, b"{}", {})


def test_the_guard_lets_a_public_name_through():
    guarded_fetcher().check_url("https://public.example/actor")


class FakeRedirect:
    """What a public server answers when it tries to bounce us inward."""

    def __init__(self, location: str):
        self.status_code, self.is_redirect, self.headers = 302, True, {"Location": location}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("location", [
    pytest.param("https://127.0.0.1/admin", id="to_loopback"),
    pytest.param("https://169.254.169.254/latest/meta-data/", id="to_link_local_metadata"),
    pytest.param("https://rebind.example/internal", id="to_a_name_resolving_privately"),
    pytest.param("https://[::ffff:192.168.0.1]/", id="to_ipv4_mapped_private"),
    pytest.param("file:///etc/passwd", id="to_file_scheme"),
    pytest.param("http://public.example/downgrade", id="to_plain_http"),
])
def test_redirect_to_a_refused_address_is_not_followed(location):
    fetcher = guarded_fetcher()
    asked: list[str] = []

    def get(url, **kwargs):
        asked.append(url)
        return FakeRedirect(location)

    fetcher.session.get = get
    with pytest.raises(FetchError, match="refusing"):
        fetcher.get_json("https://public.example/actor")
    assert asked == ["https://public.example/actor"]  # the redirect target was decided on, never contacted


# ---------------------------------------------------------------- 5. media uploads

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def decompression_bomb_png(side: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes that declares side x side pixels (10 gigapixels): decoding it would take
    gigabytes, so it must be refused from its header."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def zlib_bomb_png() -> bytes:
    """Within the pixel limit's order of magnitude but far over it: 20000 x 20000, compressed to a few hundred KB."""
    side = 20_000
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * side
    data = b"".join(compressor.compress(row) for _ in range(200)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


GPS_IFD = 0x8825


def png_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (10, 200, 10)).save(out, "PNG", exif=exif)
    return out.getvalue()


def _upload(data: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _stored_files() -> set[str]:
    found: set[str] = set()

    def walk(folder: str) -> None:
        if not default_storage.exists(folder or "."):
            return
        folders, files = default_storage.listdir(folder or ".")
        found.update(f"{folder}/{name}" for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}" if folder else sub)

    walk("attachments")
    return found


MEDIA_CASES = {
    "decompression_bomb_by_header": (decompression_bomb_png(), "bomb.png", "image/png", "too many pixels"),
    "decompression_bomb_by_zlib": (zlib_bomb_png(), "bomb2.png", "image/png", "too many pixels"),
    "html_named_png": (b"<html><script>alert(1)</script></html>", "x.png", "image/png", "not an image"),
    "svg_with_script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", "image/svg+xml",
        "not an image",
    ),
    "truncated_png": (png_with_gps()[:60], "cut.png", "image/png", "not an image"),
}


@pytest.mark.parametrize("data, name, content_type, message",
                         [pytest.param(*case, id=case_id) for case_id, case in MEDIA_CASES.items()])
def test_media_refuses(world, data, name, content_type, message):
    files_before = _stored_files()
    with pytest.raises(MediaError, match=message):
        media_create(owner=world.target, upload=_upload(data, name, content_type))
    assert Attachment.objects.count() == 0
    assert _stored_files() == files_before


def test_media_over_the_size_cap_is_refused_unread(world, settings):
    settings.FEDINODE_MEDIA_MAX_BYTES = 1000
    with pytest.raises(MediaError, match="larger than"):
        media_create(owner=world.target, upload=_upload(b"\x89PNG" + b"\x00" * 5000, "big.png", "image/png"))
    assert Attachment.objects.count() == 0


def test_png_loses_its_gps_exif(world):
    assert Image.open(io.BytesIO(png_with_gps())).getexif().get_ifd(GPS_IFD)  # the upload carries GPS
    attachment = media_create(owner=world.target, upload=_upload(png_with_gps(), "gps.png", "image/png"))
    with default_storage.open(attachment.file.name) as handle:
        raw = handle.read()
    stored = Image.open(io.BytesIO(raw))
    assert not stored.getexif() and "exif" not in stored.info
    assert b"eXIf" not in raw and b"Kamera GmbH" not in raw


# ---------------------------------------------------------------- 6. the client API: scopes and tokens

STATUS_FORM = {"status": "Hallo aus dem Test"}


@pytest.mark.parametrize("scope, method, path, data", [
    pytest.param("read", "post", "/api/v1/statuses", STATUS_FORM, id="read_token_posts_a_status"),
    pytest.param("write:media", "post", "/api/v1/statuses", STATUS_FORM, id="media_token_posts_a_status"),
    pytest.param("read", "post", "/api/v1/media", None, id="read_token_uploads_media"),
    pytest.param("write:statuses", "get", "/api/v1/timelines/home", None, id="write_token_reads_home"),
    pytest.param("read:statuses", "get", "/api/v1/accounts/verify_credentials", None,
                 id="statuses_token_reads_credentials"),
    pytest.param("read", "patch", "/api/v1/accounts/update_credentials", {"display_name": "hacked"},
                 id="read_token_changes_the_profile"),
])
def test_token_without_the_scope_is_403(world, scope, method, path, data):
    api = Api(issue_token(world.target, scope=scope))
    if path == "/api/v1/media":
        data = {"file": _upload(png_with_gps(), "p.png", "image/png")}
    before = stored_state()
    response = api.call(method, path, data)
    assert response.status_code == 403, response.content
    assert orjson.loads(response.content)["error"]
    assert stored_state() == before


@pytest.mark.parametrize("token", [
    pytest.param("expired", id="expired_token"),
    pytest.param("unknown", id="unknown_token"),
])
def test_bad_token_is_401(world, token):
    value = issue_token(world.target, expires_in=-60) if token == "expired" else "not-a-token-we-issued"
    before = stored_state()
    response = Api(value).post("/api/v1/statuses", STATUS_FORM)
    assert response.status_code == 401, response.content
    assert stored_state() == before


# ---------------------------------------------------------------- 7. CSRF on the OAuth pages

def test_login_form_without_csrf_token_is_403(world):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/auth/login/", {"username": "ziel", "password": "ziel-pass-1"})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_consent_form_without_csrf_token_is_403(world):
    from oauth2_provider.models import Application

    app = Application.objects.create(
        name="evil app", client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.target.user)
    response = browser.post("/oauth/authorize", {
        "client_id": app.client_id, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "response_type": "code",
        "scope": "read write", "decision": "allow",
    })
    assert response.status_code == 403
    assert Grant.objects.count() == 0


def test_the_same_login_with_csrf_checks_off_succeeds(world):
    """The control of the CSRF cases: they fail on the missing token, not on the password."""
    browser = Client()
    browser.post("/auth/login/", {"username": "ziel", "password": "ziel-pass-1"})
    assert "_auth_user_id" in browser.session
