"""Statuses through the client API: posting, reading, editing, deleting, threads and actions."""

import pytest

from actors.services.follow import follow_request
from outbox.models import Delivery
from posts.models import Post
from tests.factories import accepted_follow, remote_actor

from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db


def post(api: Api, **fields) -> dict:
    response = api.post("/api/v1/statuses", fields)
    assert response.status_code == 200, response.content
    return response.json()


def test_create_with_cw_hashtag_mention_and_visibility(api, org):
    other = make_org("nachbar")
    status = post(api, status="Hallo @nachbar, seht #GleichImNetz!", spoiler_text="Langer Text",
                  visibility="unlisted", language="de")
    assert status["spoiler_text"] == "Langer Text" and status["sensitive"] is True
    assert status["visibility"] == "unlisted" and status["language"] == "de"
    assert [t["name"] for t in status["tags"]] == ["gleichimnetz"]
    assert status["mentions"][0]["acct"] == "nachbar" and status["mentions"][0]["id"] == str(other.id)
    assert status["account"]["acct"] == org.username
    assert status["created_at"].endswith("Z") and len(status["created_at"]) == 24
    assert "scheduled_at" not in status and status["id"].isdigit()


def test_reply_and_context(api, org):
    root = post(api, status="Wurzel")
    reply = post(api, status="Antwort", in_reply_to_id=root["id"])
    assert reply["in_reply_to_id"] == root["id"] and reply["in_reply_to_account_id"] == str(org.id)
    context = api.get(f"/api/v1/statuses/{reply['id']}/context").json()
    assert [s["id"] for s in context["ancestors"]] == [root["id"]]
    context = api.get(f"/api/v1/statuses/{root['id']}/context").json()
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    assert api.get(f"/api/v1/statuses/{root['id']}").json()["replies_count"] == 1


@pytest.mark.parametrize(
    "fields, status",
    [
        ({"status": "   "}, 422),
        ({"status": "x" * 5001}, 422),
        ({"status": "hi", "visibility": "everyone"}, 422),
        ({"status": "hi", "in_reply_to_id": "999"}, 404),
        ({"status": "hi", "media_ids[]": "12345"}, 422),
        ({"status": "hi", "scheduled_at": "2030-01-01T00:00:00Z"}, 422),
        ({"status": "hi", "poll[options][]": "a", "poll[expires_in]": "60"}, 422),
    ],
)
def test_bad_statuses_are_refused_and_nothing_is_stored(api, fields, status):
    response = api.post("/api/v1/statuses", fields)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json" and response.json()["error"]
    assert not Post.objects.exists()


@pytest.mark.parametrize("fields, as_json", [
    ({"status": "a\x00b"}, False), ({"status": "a\x00b"}, True), ({"status": "hi", "spoiler_text": "\x00"}, True),
    ({"status": "hi", "poll": {"options": ["ja", "n\x00ein"], "expires_in": 600}}, True),
    ({"status": "hi", "poll[options][]": ["ja", "n\x00ein"], "poll[expires_in]": "600"}, False),
])
def test_a_nul_character_in_any_value_is_refused(api, fields, as_json):
    """PostgreSQL keeps no NUL in text and refuses one in a query: such a status answered 500 there."""
    response = api.post("/api/v1/statuses", fields, json=as_json)
    assert response.status_code == 422 and "NUL" in response.json()["error"], response.content
    assert not Post.objects.exists()
    # the text "\u0000" itself, escaped in JSON, is a status like any other
    assert api.post("/api/v1/statuses", {"status": "\\u0000 ist ein Escape"}, json=True).status_code == 200


def test_invalid_json_body_is_400(api):
    response = api.client.post("/api/v1/statuses", b"{nope", content_type="application/json", headers=api.headers)
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_idempotency_key_posts_once(api):
    first = api.post("/api/v1/statuses", {"status": "einmal"}, headers={"Idempotency-Key": "abc"}).json()
    second = api.post("/api/v1/statuses", {"status": "einmal"}, headers={"Idempotency-Key": "abc"}).json()
    assert first["id"] == second["id"] and Post.objects.count() == 1


def test_edit_history_source_and_delete_for_redraft(api):
    status = post(api, status="erste Fassung", spoiler_text="cw")
    edited = api.put(f"/api/v1/statuses/{status['id']}", {"status": "zweite Fassung", "spoiler_text": "cw2"}).json()
    assert edited["edited_at"] and "zweite Fassung" in edited["content"] and edited["spoiler_text"] == "cw2"
    history = api.get(f"/api/v1/statuses/{status['id']}/history").json()
    assert ["erste" in h["content"] for h in history] == [True, False]
    source = api.get(f"/api/v1/statuses/{status['id']}/source").json()
    assert source == {"id": status["id"], "text": "zweite Fassung", "spoiler_text": "cw2"}
    deleted = api.delete(f"/api/v1/statuses/{status['id']}")
    assert deleted.status_code == 200 and deleted.json()["text"] == "zweite Fassung"
    gone = api.get(f"/api/v1/statuses/{status['id']}")
    assert gone.status_code == 404 and gone.json() == {"error": "Record not found"}


def test_someone_elses_status_cannot_be_edited_or_deleted(api):
    other = Api(issue_token(make_org()))
    status = post(other, status="fremd")
    assert api.put(f"/api/v1/statuses/{status['id']}", {"status": "x"}).status_code == 403
    assert api.delete(f"/api/v1/statuses/{status['id']}").status_code == 403


def test_favourite_reblog_bookmark_pin_and_who_did_it(api, org):
    other_org = make_org()
    other = Api(issue_token(other_org))
    status = post(other, status="teilenswert")
    sid = status["id"]
    favourited = api.post(f"/api/v1/statuses/{sid}/favourite").json()
    assert favourited["favourited"] is True and favourited["favourites_count"] == 1
    reblog = api.post(f"/api/v1/statuses/{sid}/reblog").json()
    assert reblog["reblog"]["id"] == sid and reblog["reblog"]["reblogged"] is True
    assert api.post(f"/api/v1/statuses/{sid}/bookmark").json()["bookmarked"] is True
    assert [a["id"] for a in api.get(f"/api/v1/statuses/{sid}/favourited_by").json()] == [str(org.id)]
    assert [a["id"] for a in api.get(f"/api/v1/statuses/{sid}/reblogged_by").json()] == [str(org.id)]
    assert [s["id"] for s in api.get("/api/v1/favourites").json()] == [sid]
    assert [s["id"] for s in api.get("/api/v1/bookmarks").json()] == [sid]
    types = [n["type"] for n in other.get("/api/v1/notifications").json()]
    assert sorted(types) == ["favourite", "reblog"]
    assert api.post(f"/api/v1/statuses/{sid}/unfavourite").json()["favourited"] is False
    assert api.post(f"/api/v1/statuses/{sid}/unreblog").json()["reblogged"] is False
    assert api.post(f"/api/v1/statuses/{sid}/pin").status_code == 422  # not our own
    mine = post(api, status="angeheftet")
    assert api.post(f"/api/v1/statuses/{mine['id']}/pin").json()["pinned"] is True
    pinned = api.get(f"/api/v1/accounts/{org.id}/statuses", {"pinned": "true"}).json()
    assert [s["id"] for s in pinned] == [mine["id"]]


def test_private_and_direct_statuses_are_hidden_from_others(api, org):
    stranger = Api(issue_token(make_org()))
    follower_org = make_org()
    follower = Api(issue_token(follower_org))
    follow_request(follower=follower_org, target=org)
    private = post(api, status="nur Folgende", visibility="private")
    assert stranger.get(f"/api/v1/statuses/{private['id']}").status_code == 404
    assert Api(None).get(f"/api/v1/statuses/{private['id']}").status_code == 404
    assert follower.get(f"/api/v1/statuses/{private['id']}").status_code == 200
    assert private["id"] in [s["id"] for s in follower.get("/api/v1/timelines/home").json()]


def test_a_post_federates_to_remote_followers_and_mentioned_actors(api, org):
    accepted_follow(follower=remote_actor(host="a.example"), target=org)
    mentioned = remote_actor(host="b.example", username="bob")
    status = post(api, status="Hallo @bob@b.example #Praxis")
    assert status["mentions"][0]["acct"] == "bob@b.example" and mentioned
    inboxes = set(Delivery.objects.values_list("inbox_url", flat=True))
    assert inboxes == {"https://a.example/inbox", "https://b.example/inbox"}
