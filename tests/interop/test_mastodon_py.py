"""Mastodon.py (PyPI mastodon-py) against a running node: app, browser log-in, media, posts, paging, edits."""

import io

import pytest
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError
from PIL import Image

from tests.interop.oauth_login import authorization_code

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow", "push"]


@pytest.fixture
def node(start_node):
    node = start_node("mastodonpy")
    node.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    return node


def logged_in(node) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py test", scopes=SCOPES, redirect_uris=[OOB, "org.example.app://callback"],
        api_base_url=node.base,
    )
    mastodon = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base)
    url = mastodon.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    code = authorization_code(authorize_url=url, username="kita", password="kita-pass-123")
    mastodon.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    return mastodon


def test_mastodon_py_full_session(node):
    mastodon = logged_in(node)
    mastodon.retrieve_mastodon_version()
    # on a version it cannot parse, Mastodon.py assumes 1.0.0 and falls back to old endpoints
    assert (mastodon.mastodon_major, mastodon.mastodon_minor, mastodon.mastodon_patch) == (4, 2, 0)
    me = mastodon.me()
    assert me.username == "kita"

    out = io.BytesIO()
    Image.new("RGB", (120, 80), (250, 200, 0)).save(out, "JPEG")
    media = mastodon.media_post(out.getvalue(), mime_type="image/jpeg", description="Sonnenblumen im Garten")
    assert media.url and media.description == "Sonnenblumen im Garten"
    status = mastodon.status_post("Unser Garten blüht", media_ids=[media], spoiler_text="Bilder")
    assert status.spoiler_text == "Bilder" and status.media_attachments[0].description == "Sonnenblumen im Garten"
    reply = mastodon.status_post("Und wie!", in_reply_to_id=status)
    assert reply.in_reply_to_id == status.id

    for number in range(25):
        mastodon.status_post(f"Beitrag {number}")
    first = mastodon.timeline_home(limit=20)
    second = mastodon.fetch_next(first)
    assert len(first) == 20 and second and len(second) == 7
    ids = [s.id for s in first + second]
    assert len(set(ids)) == 27 and ids == sorted(ids, reverse=True)

    favourited = mastodon.status_favourite(status)
    assert favourited.favourited and favourited.favourites_count == 1
    edited = mastodon.status_update(status, "Unser Garten blüht schon", spoiler_text="Bilder")
    assert edited.edited_at is not None
    history = mastodon.status_history(status)
    assert len(history) == 2 and "schon" in history[-1].content
    deleted = mastodon.status_delete(reply)
    assert deleted.text == "Und wie!"
    with pytest.raises(MastodonNotFoundError):
        mastodon.status(reply)

    stranger = Mastodon(access_token="not-a-token", api_base_url=node.base)
    with pytest.raises(MastodonUnauthorizedError):
        stranger.account_verify_credentials()
    mastodon.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        mastodon.account_verify_credentials()


def test_a_scout_logs_in_with_mastodon_py_and_writes_to_its_group(node):
    """Scouts are Person actors with a log-in: any Mastodon client works for them as for organisations."""
    node.cli("createscout", "scout_mia", "--org", "kita", "--email", "mia@example.org", "--password", "mia-pass-1234",
             "--topics", "ki")
    node.cli("creategroup", "scouts_ki", "--topic", "ki", "--meets", "Dienstag 10:00", "--moderator", "scout_mia")
    client_id, client_secret = Mastodon.create_app("Mastodon.py scout", scopes=SCOPES, redirect_uris=OOB,
                                                   api_base_url=node.base)
    mastodon = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=node.base)
    url = mastodon.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    code = authorization_code(authorize_url=url, username="scout_mia", password="mia-pass-1234")
    mastodon.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert mastodon.me().username == "scout_mia"
    [group] = mastodon.account_search("scouts_ki")
    assert group.group is True
    status = mastodon.status_post(f"Material vom Treffen @scouts_ki@{node.domain} #ki")
    statuses = mastodon.account_statuses(group)
    assert statuses and statuses[0].reblog.id == status.id  # the group shared it (a moderator is a member)
