"""Web Push: the subscription API (Mastodon's WebPushSubscription), the encrypted pushes a notification causes, and
the end of a subscription its push service says is gone. The pushes go to a real HTTP receiver on loopback that
decrypts them with `http_ece`."""

import http_ece
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from oauth2_provider.models import AccessToken
from py_vapid import Vapid02

from clientapi.push_models import PushSubscription
from clientapi.push_sender import push_message_encrypt
from posts.services.publishing import like_create, post_create
from tests.push_receiver import PushReceiver, b64url, b64url_decode

from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db


def _subscribe_form(receiver: PushReceiver, **alerts) -> dict:
    data = {"subscription[endpoint]": receiver.endpoint, "subscription[keys][p256dh]": receiver.keys["p256dh"],
            "subscription[keys][auth]": receiver.keys["auth"], "data[policy]": "all"}
    data.update({f"data[alerts][{name}]": "true" if on else "false" for name, on in alerts.items()})
    return data


def test_subscription_create_get_update_delete_with_forms(api):
    receiver = PushReceiver()
    created = api.post("/api/v1/push/subscription", _subscribe_form(receiver, mention=True, favourite=False))
    assert created.status_code == 200, created.json()
    entity = created.json()
    assert entity["endpoint"] == receiver.endpoint and entity["policy"] == "all" and entity["standard"] is False
    assert entity["alerts"]["mention"] is True and entity["alerts"]["favourite"] is False
    assert entity["alerts"]["follow"] is False and "admin.sign_up" in entity["alerts"]
    assert entity["server_key"] == settings.FEDINODE_VAPID_PUBLIC_KEY and len(b64url_decode(entity["server_key"])) == 65
    assert api.get("/api/v1/push/subscription").json() == entity

    changed = api.put("/api/v1/push/subscription", {"data[alerts][follow]": "1", "data[policy]": "followed"}).json()
    assert changed["alerts"]["follow"] is True and changed["alerts"]["mention"] is True  # untouched alerts stay
    assert changed["policy"] == "followed"

    assert api.delete("/api/v1/push/subscription").json() == {}
    missing = api.get("/api/v1/push/subscription")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}


def test_subscription_with_json_replaces_the_tokens_earlier_one(api):
    first, second = PushReceiver(), PushReceiver()
    api.post("/api/v1/push/subscription", _subscribe_form(first, mention=True))
    body = {"subscription": {"endpoint": second.endpoint, "keys": second.keys, "standard": True},
            "data": {"alerts": {"mention": True, "reblog": True}, "policy": "follower"}}
    entity = api.post("/api/v1/push/subscription", body, json=True).json()
    assert entity["endpoint"] == second.endpoint and entity["standard"] is True and entity["alerts"]["reblog"]
    assert PushSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subscription[endpoint]": "ftp://push.example/x"}, "https URL"),
        ({"subscription[keys][p256dh]": "bm90IGEga2V5"}, "P-256"),
        ({"subscription[keys][auth]": b64url(b"short")}, "16-byte"),
        ({"data[policy]": "everyone"}, "data[policy]"),
        ({"data[alerts][lunch]": "true"}, "lunch"),
        ({"subscription[endpoint]": ""}, "required"),
    ],
)
def test_bad_subscriptions_are_refused_with_422(api, change, message):
    data = _subscribe_form(PushReceiver(), mention=True) | change
    response = api.post("/api/v1/push/subscription", data)
    assert response.status_code == 422 and message in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_subscription_needs_the_push_scope_and_a_user(org):
    receiver = PushReceiver()
    no_push = Api(issue_token(org, scope="read write"))
    response = no_push.post("/api/v1/push/subscription", _subscribe_form(receiver, mention=True))
    assert response.status_code == 403
    app_only = Api(issue_token(None, scope="push"))
    assert app_only.post("/api/v1/push/subscription", _subscribe_form(receiver)).status_code == 422
    assert Api(None).get("/api/v1/push/subscription").status_code == 401


def test_revoking_the_token_ends_the_subscription(org):
    token = issue_token(org)
    Api(token).post("/api/v1/push/subscription", _subscribe_form(PushReceiver(), mention=True))
    AccessToken.objects.filter(token=token).delete()
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("standard", [True, False])
def test_encrypted_message_decrypts_and_carries_vapid(standard):
    receiver = PushReceiver()
    message = push_message_encrypt(endpoint="https://push.example:8443/send/abc", p256dh=receiver.keys["p256dh"],
                                   auth=receiver.keys["auth"], standard=standard, payload=b'{"title":"Hallo"}')
    headers = {k.lower(): v for k, v in message.headers.items()}
    assert receiver.decrypt(headers, message.body) == {"title": "Hallo"}
    assert headers["ttl"] == "172800" and headers["content-type"] == "application/octet-stream"
    if standard:
        assert headers["content-encoding"] == "aes128gcm" and headers["authorization"].startswith("vapid t=")
        token, key = headers["authorization"][len("vapid "):].split(",")
        assert key == f"k={settings.FEDINODE_VAPID_PUBLIC_KEY}"
        claims = orjson.loads(b64url_decode(token[2:].split(".")[1]))
        assert claims["aud"] == "https://push.example:8443" and claims["sub"].startswith("mailto:")
        assert Vapid02.verify(headers["authorization"])
    else:
        assert headers["content-encoding"] == "aesgcm" and headers["authorization"].startswith("WebPush ")
        assert f"p256ecdsa={settings.FEDINODE_VAPID_PUBLIC_KEY}" in headers["crypto-key"]


def test_each_message_has_its_own_sender_key():
    receiver = PushReceiver()
    bodies = [push_message_encrypt(endpoint="https://push.example/x", standard=True, payload=b"{}",
                                   **receiver.keys).body for _ in range(2)]
    assert bodies[0][21:86] != bodies[1][21:86]  # RFC 8188 header: salt(16) rs(4) idlen(1) keyid(65)


def test_mention_pushes_mastodons_payload_to_the_loopback_receiver(django_capture_on_commit_callbacks):
    kita, pflege = make_org("kitapush"), make_org("pflegepush")
    token = issue_token(kita)
    with PushReceiver() as receiver:
        entity = Api(token).post("/api/v1/push/subscription", _subscribe_form(receiver, mention=True)).json()
        assert entity["alerts"]["mention"]
        with django_capture_on_commit_callbacks(execute=True):
            post = post_create(author=pflege, text="Hallo @kitapush, kommt ihr zum Fest? " + "Sehr lang. " * 20)
        [push] = receiver.wait_for(1)
    notification = kita.notifications.get()
    assert push["notification_id"] == notification.id and push["notification_type"] == "mention"
    assert push["access_token"] == token and push["title"] == "You were mentioned by pflegepush"
    assert push["body"].startswith("Hallo @kitapush") and len(push["body"]) == 140 and push["body"].endswith("...")
    assert push["icon"].startswith("http") and push["preferred_locale"] == settings.LANGUAGE_CODE.split("-")[0]
    assert post.mentions.filter(id=kita.id).exists()


def test_alerts_and_policy_choose_what_is_pushed(django_capture_on_commit_callbacks):
    kita, pflege = make_org("kitapolicy"), make_org("pflegepolicy")
    with PushReceiver() as receiver:
        data = _subscribe_form(receiver, mention=True, favourite=False) | {"data[policy]": "followed"}
        Api(issue_token(kita)).post("/api/v1/push/subscription", data)
        with django_capture_on_commit_callbacks(execute=True):
            post = post_create(author=kita, text="Unser Sommerfest")
            like_create(actor=pflege, post=post)  # favourite: alert off
            post_create(author=pflege, text="@kitapolicy Hallo")  # mention, but kita follows no one: policy
    assert kita.notifications.count() == 2 and receiver.requests == []


def test_an_endpoint_answering_410_ends_the_subscription(django_capture_on_commit_callbacks):
    kita, pflege = make_org("kitagone"), make_org("pflegegone")
    with PushReceiver(status=410) as receiver:
        Api(issue_token(kita)).post("/api/v1/push/subscription", _subscribe_form(receiver, mention=True))
        with django_capture_on_commit_callbacks(execute=True):
            post_create(author=pflege, text="@kitagone Hallo")
        receiver.wait_for(1)
    assert not PushSubscription.objects.exists()


def test_an_endpoint_on_a_private_address_is_refused_at_sending(settings, django_capture_on_commit_callbacks):
    """The push service is remote and untrusted: outside tests, the safe fetcher's guard refuses loopback."""
    from clientapi import push_sender

    settings.FEDINODE_INSECURE_HTTP = False  # outgoing.poster() makes a fetcher of its own for this setting
    receiver = PushReceiver()
    with pytest.raises(push_sender.FetchError, match="private"):
        push_sender.push_post(endpoint=receiver.endpoint.replace("http:", "https:"), message=push_message_encrypt(
            endpoint=receiver.endpoint, standard=True, payload=b"{}", **receiver.keys))


def test_vapid_key_is_in_app_and_instance_entities(anonymous):
    key = anonymous.get("/api/v2/instance").json()["configuration"]["vapid"]["public_key"]
    app = anonymous.post("/api/v1/apps", {"client_name": "Elk", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}).json()
    assert key == app["vapid_key"] == settings.FEDINODE_VAPID_PUBLIC_KEY
    point = b64url_decode(key)
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # a valid P-256 point


def test_aesgcm_decrypts_with_http_ece_directly():
    """The receiver's own decryption is checked against http_ece's encryption (so the tests above can trust it)."""
    receiver = PushReceiver()
    sender = ec.generate_private_key(ec.SECP256R1())
    body = http_ece.encrypt(b'{"a":1}', salt=b"s" * 16, private_key=sender, dh=b64url_decode(receiver.keys["p256dh"]),
                            auth_secret=receiver.auth_secret, version="aes128gcm")
    assert receiver.decrypt({"content-encoding": "aes128gcm"}, body) == {"a": 1}


def test_a_standard_subscription_gets_rfc8291_aes128gcm(django_capture_on_commit_callbacks):
    kita, pflege = make_org("kitastandard"), make_org("pflegestandard")
    with PushReceiver() as receiver:
        body = {"subscription": {"endpoint": receiver.endpoint, "keys": receiver.keys, "standard": True},
                "data": {"alerts": {"favourite": True}}}
        Api(issue_token(kita)).post("/api/v1/push/subscription", body, json=True)
        with django_capture_on_commit_callbacks(execute=True):
            like_create(actor=pflege, post=post_create(author=kita, text="Unser Sommerfest"))
        [push] = receiver.wait_for(1)
    headers, _ = receiver.requests[0]
    assert headers["content-encoding"] == "aes128gcm" and headers["authorization"].startswith("vapid t=")
    assert push["notification_type"] == "favourite" and push["title"] == "pflegestandard favorited your post"
    assert push["body"] == "Unser Sommerfest"
