"""Muting a conversation, following hashtags, familiar followers, and the JSON 404 (with CORS) of unknown routes."""

import pytest

from posts.services.publishing import post_create
from posts.services.remote import post_upsert_remote
from posts.services.remote_batch import posts_create_remote
from tests.factories import accepted_follow, remote_actor

from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def mention_ids(api: Api) -> list[str]:
    return [n["status"]["id"] for n in api.get("/api/v1/notifications").json() if n["type"] == "mention"]


def test_muting_a_conversation_silences_its_notifications_and_marks_its_statuses(api, org):
    other, third = make_org(), make_org()
    root = post_create(author=org, text="Wer hilft beim Umzug?")
    reply = post_create(author=other, text=f"@{org.username} wir!", in_reply_to=root)
    before = mention_ids(api)
    assert before == [str(reply.id)]

    muted = api.post(f"/api/v1/statuses/{reply.id}/mute")  # from a reply: the whole thread is muted
    assert muted.status_code == 200 and muted.json()["muted"] is True
    assert api.get(f"/api/v1/statuses/{root.id}").json()["muted"] is True
    later = post_create(author=third, text=f"@{org.username} ich auch", in_reply_to=reply)
    assert api.get(f"/api/v1/statuses/{later.id}").json()["muted"] is True
    assert mention_ids(api) == []
    elsewhere = post_create(author=third, text=f"@{org.username} etwas anderes")
    assert api.get(f"/api/v1/statuses/{elsewhere.id}").json()["muted"] is False
    assert mention_ids(api) == [str(elsewhere.id)]

    unmuted = api.post(f"/api/v1/statuses/{root.id}/unmute")
    assert unmuted.status_code == 200 and unmuted.json()["muted"] is False
    assert mention_ids(api) == [str(elsewhere.id), str(later.id), str(reply.id)]
    assert Api(issue_token(other)).get(f"/api/v1/statuses/{root.id}").json()["muted"] is False
    assert api.post("/api/v1/statuses/999999/mute").status_code == 404


def test_following_a_hashtag_brings_its_public_posts_into_home(api, org):
    stranger = make_org()
    old = post_create(author=stranger, text="Schon da #Ehrenamt")
    followed = api.post("/api/v1/tags/Ehrenamt/follow")
    assert followed.status_code == 200
    assert followed.json()["following"] is True and followed.json()["name"] == "ehrenamt" and followed.json()["id"]
    assert api.post("/api/v1/tags/Neuland/follow").json()["following"] is True  # nobody used it yet
    assert api.get("/api/v1/tags/neuland").json()["following"] is True
    assert api.post("/api/v1/tags/no%20tag/follow").status_code == 422
    assert sorted(t["name"] for t in api.get("/api/v1/followed_tags").json()) == ["ehrenamt", "neuland"]

    new = post_create(author=stranger, text="Neu #ehrenamt")
    post_create(author=stranger, text="Nur für Folgende #ehrenamt", visibility="private")
    fern = remote_actor(host="social.example")
    single = post_upsert_remote(author=fern, obj={
        "id": "https://social.example/notes/1", "type": "Note", "content": "<p>#Ehrenamt</p>", "to": [PUBLIC],
        "tag": [{"type": "Hashtag", "name": "#Ehrenamt"}],
    })
    batch = posts_create_remote(entries=[({
        "id": "https://social.example/notes/2", "type": "Note", "content": "<p>#Ehrenamt</p>", "to": [PUBLIC],
        "tag": [{"type": "Hashtag", "name": "#ehrenamt"}],
    }, fern)])
    home = [s["id"] for s in api.get("/api/v1/timelines/home").json()]
    assert home == [str(batch[0].id), str(single.id), str(new.id), str(old.id)]

    assert api.post("/api/v1/tags/ehrenamt/unfollow").json()["following"] is False
    assert [t["name"] for t in api.get("/api/v1/followed_tags").json()] == ["neuland"]
    later = post_create(author=stranger, text="Danach #ehrenamt")
    assert str(later.id) not in [s["id"] for s in api.get("/api/v1/timelines/home").json()]


def test_familiar_followers_are_the_followed_accounts_that_follow_them_too(api, org):
    friend, other, target, lonely = make_org(), make_org(), make_org(), make_org()
    accepted_follow(follower=org, target=friend)
    accepted_follow(follower=friend, target=target)
    accepted_follow(follower=other, target=target)  # not followed by the caller
    answer = api.get("/api/v1/accounts/familiar_followers", {"id[]": [target.id, lonely.id]})
    assert answer.status_code == 200
    assert answer.json() == [
        {"id": str(target.id), "accounts": [answer.json()[0]["accounts"][0]]},
        {"id": str(lonely.id), "accounts": []},
    ]
    assert answer.json()[0]["accounts"][0]["id"] == str(friend.id)


def test_unknown_api_routes_answer_json_404_with_cors_and_preflights(anonymous):
    preflight = anonymous.call("options", "/api/v1/something/new", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
    })
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    for method in ("get", "post"):
        missing = anonymous.call(method, "/api/v2/something/new")
        assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
        assert missing["Access-Control-Allow-Origin"] == "*" and missing.json() == {"error": "Record not found"}
