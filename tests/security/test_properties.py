"""Properties under generated input (hypothesis): the signature parsers only ever raise SignatureError, and the
inbox answers any bytes and headers with a 4xx or a 202, never a 500. Example counts are bounded so the whole file
runs in well under a minute."""

from urllib.parse import urlsplit

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actors.services import remote
from actors.services.local import organization_create
from fediverse_node.protocol.digests import check_body_digests
from fediverse_node.protocol.fetcher import FetchError
from fediverse_node.protocol.keys import generate_rsa_keypair, load_private_key, load_public_key
from fediverse_node.protocol.signatures import SignatureError, sign_cavage, signature_key_id, verify_request
from inbox.models import InboxItem, InboxState
from tests.interop.bovine_peer import BovinePeer

from .hostile import post_to_inbox

FAST = settings(max_examples=300, deadline=None)
INBOX = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
URL = "https://node.example/inbox"


class Headers(dict):
    """Case-insensitive, as a web framework hands headers over."""

    def __init__(self, values: dict):
        super().__init__({k.lower(): v for k, v in values.items()})

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())


# Text that looks enough like signature headers to get past the first checks: tokens, quotes, commas, colons.
PIECES = st.sampled_from([
    "keyId", "signature", "headers", "algorithm", "created", "expires", "sig1", "keyid", "alg", "=", '"', ",", ";",
    ":", "(", ")", " ", "(request-target)", "date", "digest", "host", "@method", "@target-uri", "rsa-sha256",
    "hs2019", "ed25519", "https://a.example/k#main", "QUJD", "-1", "99999999999999999999", "\\", "\t", "é",
])
HEADERISH = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=40).map("".join))
HEADER_NAMES = ["Signature", "Signature-Input", "Date", "Digest", "Content-Digest", "Host"]
HEADER_SETS = st.dictionaries(st.sampled_from(HEADER_NAMES), HEADERISH, max_size=len(HEADER_NAMES))


@pytest.fixture(scope="module")
def public_key():
    return load_public_key(generate_rsa_keypair()[1])


@FAST
@given(headers=HEADER_SETS)
def test_key_id_parser_raises_only_signature_error(headers):
    try:
        key_id = signature_key_id(Headers(headers))
    except SignatureError:
        return
    assert isinstance(key_id, str) and key_id


@FAST
@given(headers=HEADER_SETS, body=st.binary(max_size=200), method=st.sampled_from(["POST", "GET", "post"]))
def test_verifier_raises_only_signature_error(public_key, headers, body, method):
    with pytest.raises(SignatureError):
        verify_request(method=method, url=URL, headers=Headers(headers), body=body, public_key=public_key)


@FAST
@given(headers=st.dictionaries(st.sampled_from(["Digest", "Content-Digest"]), HEADERISH), body=st.binary(max_size=200))
def test_digest_check_raises_only_signature_error(headers, body):
    try:
        check_body_digests(Headers(headers), body)
    except SignatureError:
        pass


@pytest.fixture(scope="module")
def signer_pair():
    private_pem, public_pem = generate_rsa_keypair()
    return load_private_key(private_pem), load_public_key(public_pem)


@FAST
@given(position=st.integers(min_value=0), replacement=st.characters(), body=st.binary(min_size=1, max_size=100))
def test_any_one_character_change_to_a_signature_header_fails_cleanly(signer_pair, position, replacement, body):
    """Tampering with a valid Signature header gives SignatureError, or (keyId is not itself signed in
    draft-cavage) a keyId that is the one the inbox looked its key up by."""
    private_key, public_key = signer_pair
    headers = sign_cavage(method="POST", url=URL, body=body, key_id="https://a.example/k#main",
                          private_key=private_key)
    value = headers["Signature"]
    index = position % len(value)
    headers["Signature"] = value[:index] + replacement + value[index + 1:]
    try:
        key_id = verify_request(method="POST", url=URL, headers=Headers(headers), body=body, public_key=public_key)
    except SignatureError:
        return
    assert key_id == signature_key_id(Headers(headers))


# ---------------------------------------------------------------- the inbox, end to end through Django

@pytest.fixture
def peer():
    with BovinePeer("fuzzer") as peer:
        yield peer


@pytest.fixture
def only_the_peer(peer, monkeypatch):
    """Generated activities name arbitrary hosts: this run's fetcher reaches the loopback peer and nothing else."""
    guarded = remote.fetcher()
    allowed = urlsplit(peer.base).netloc

    def check_url(url: str) -> None:
        if urlsplit(url).scheme != "http" or urlsplit(url).netloc != allowed:
            raise FetchError(f"refusing {url!r} in this test: only the loopback peer may be fetched")

    monkeypatch.setattr(guarded, "check_url", check_url)
    return peer


@pytest.fixture
def target(db):
    """A local organisation, so that Follows and Likes have someone to address."""
    return organization_create(username="ziel", email="ziel@example.org", password="ziel-pass-1")


def _assert_clean_answer(response) -> None:
    assert response.status_code in (202, 400, 401, 413), (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db(transaction=True)
@INBOX
@given(body=st.binary(max_size=3000), headers=HEADER_SETS)
def test_inbox_answers_any_bytes_with_a_4xx(client, only_the_peer, body, headers):
    headers.pop("Host", None)  # the test client addresses testserver
    response = post_to_inbox(client, body, headers)
    _assert_clean_answer(response)
    assert response.status_code != 202 or InboxItem.objects.exists()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=50)
    | st.sampled_from(["https://elsewhere.example/x", "http://127.0.0.1:1/x", "Note", "Person", "Follow"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "actor", "object", "attributedTo", "content", "to", "cc", "tag", "url",
                         "inReplyTo", "attachment", "name", "summary", "published"]), children, max_size=6),
    max_leaves=25,
)
ACTIVITY_TYPES = st.sampled_from(["Create", "Update", "Delete", "Follow", "Undo", "Accept", "Reject", "Like",
                                  "Announce", "Move", "Flag", "Block", "Add", "Question"])


@pytest.mark.django_db(transaction=True)
@INBOX
@given(kind=ACTIVITY_TYPES, obj=JSON_VALUES, extra=st.dictionaries(st.sampled_from(["to", "cc", "published",
       "target", "tag"]), JSON_VALUES, max_size=3), slug=st.integers(min_value=0, max_value=10**9))
def test_inbox_takes_any_signed_activity_without_a_500(client, only_the_peer, target, kind, obj, extra, slug):
    """Validly signed, arbitrary content: a 202 (or a 4xx), and the handler finishes (no item left half-run)."""
    peer = only_the_peer
    activity = {"id": f"{peer.base}/activities/{slug}", "type": kind, "actor": peer.actor_id, "object": obj, **extra}
    body = orjson.dumps(activity)
    headers = sign_cavage(method="POST", url="http://testserver/inbox", body=body, key_id=f"{peer.actor_id}#main-key",
                          private_key=load_private_key(peer.private_pem))
    response = post_to_inbox(client, body, {k: v for k, v in headers.items() if k != "Host"})
    _assert_clean_answer(response)
    if response.status_code == 202:
        item = InboxItem.objects.get(activity_id=activity["id"])
        assert item.state in (InboxState.PROCESSED, InboxState.IGNORED), item.error
