"""Accounts, relationships, follows, follow requests, profile editing, notifications, markers, search."""

import pytest

from actors.models import Follow
from outbox.models import OutgoingActivity
from posts.services.publishing import post_create
from tests.factories import accepted_follow, remote_actor

from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db


def test_verify_credentials_and_account_shapes(api, org):
    me = api.get("/api/v1/accounts/verify_credentials").json()
    assert me["id"] == str(org.id) and me["acct"] == org.username and me["username"] == org.username
    assert me["source"]["privacy"] == "public" and me["avatar"].startswith("http")
    assert me["source"]["discoverable"] is me["discoverable"] is org.discoverable
    assert me["source"]["hide_collections"] is me["hide_collections"] is False
    assert me["created_at"].endswith("T00:00:00.000Z") and me["statuses_count"] == 0
    assert api.get(f"/api/v1/accounts/{org.id}").json()["url"] == org.url == f"http://testserver/members/{org.username}/"
    assert api.get("/api/v1/accounts/99999").status_code == 404
    assert api.get("/api/v1/accounts/lookup", {"acct": org.username}).json()["id"] == str(org.id)
    assert api.get("/api/v1/accounts/lookup", {"acct": "nobody"}).status_code == 404


def test_account_counts_of_one_account_and_of_many(api, org):
    post_create(author=org, text="öffentlich")
    post_create(author=org, text="leise", visibility="unlisted")
    post_create(author=org, text="direkt", visibility="direct")  # not counted, as on Mastodon
    for _ in range(2):
        accepted_follow(follower=make_org(), target=org)
    accepted_follow(follower=org, target=make_org())
    Follow.objects.create(follower=make_org(), target=org, uri="https://x.example/follows/1", state="pending")
    me = api.get("/api/v1/accounts/verify_credentials").json()
    assert (me["statuses_count"], me["followers_count"], me["following_count"]) == (2, 2, 1)
    assert me["source"]["follow_requests_count"] == 1 and me["last_status_at"] is not None
    # a page of more authors than one compiled query takes (clientapi/entities/accounts.py)
    fans = [make_org() for _ in range(55)]
    for index, fan in enumerate(fans):
        accepted_follow(follower=fan, target=org)
        if index % 2:
            post_create(author=fan, text="Hallo")
    listed = api.get(f"/api/v1/accounts/{org.id}/followers", {"limit": 80}).json()
    by_id = {account["id"]: account for account in listed}
    assert len(listed) == 57
    assert all(by_id[str(fan.id)]["following_count"] == 1 for fan in fans)
    assert [by_id[str(fan.id)]["statuses_count"] for fan in fans] == [index % 2 for index in range(55)]
    few = api.get(f"/api/v1/accounts/{org.id}/followers", {"limit": 3}).json()
    assert [a["statuses_count"] for a in few] == [by_id[a["id"]]["statuses_count"] for a in few]


def test_follow_unfollow_relationships_and_lists(api, org):
    other = make_org()
    relationship = api.post(f"/api/v1/accounts/{other.id}/follow").json()
    assert relationship["following"] is True and relationship["id"] == str(other.id)
    rel = api.get("/api/v1/accounts/relationships", {"id[]": [str(other.id)]}).json()
    assert rel[0]["following"] is True and rel[0]["followed_by"] is False
    assert [a["id"] for a in api.get(f"/api/v1/accounts/{other.id}/followers").json()] == [str(org.id)]
    assert [a["id"] for a in api.get(f"/api/v1/accounts/{org.id}/following").json()] == [str(other.id)]
    notes = Api(issue_token(other)).get("/api/v1/notifications").json()
    assert [n["type"] for n in notes] == ["follow"] and notes[0]["account"]["id"] == str(org.id)
    assert api.post(f"/api/v1/accounts/{other.id}/unfollow").json()["following"] is False
    assert api.post(f"/api/v1/accounts/{org.id}/follow").status_code == 422


def test_following_a_remote_account_sends_follow_and_stays_requested(api):
    bob = remote_actor(host="remote.example", username="bob")
    relationship = api.post(f"/api/v1/accounts/{bob.id}/follow").json()
    assert relationship["requested"] is True and relationship["following"] is False
    assert OutgoingActivity.objects.filter(type="Follow").count() == 1


def test_locked_account_gets_follow_requests(org):
    api = Api(issue_token(org))
    api.patch("/api/v1/accounts/update_credentials", {"locked": "true"})
    asker = make_org()
    Api(issue_token(asker)).post(f"/api/v1/accounts/{org.id}/follow")
    assert [a["id"] for a in api.get("/api/v1/follow_requests").json()] == [str(asker.id)]
    assert api.post(f"/api/v1/follow_requests/{asker.id}/authorize").json()["followed_by"] is True
    assert Follow.objects.get(follower=asker).state == "accepted"
    assert api.post(f"/api/v1/follow_requests/{asker.id}/reject").status_code == 404


def test_update_credentials_changes_profile_and_federates(api, org):
    accepted_follow(follower=remote_actor(host="f.example"), target=org)
    response = api.patch("/api/v1/accounts/update_credentials", {
        "display_name": "Kita Sonnenschein", "note": "Wir sind eine Kita.\n\nhttps://kita.example",
        "fields_attributes[0][name]": "Web", "fields_attributes[0][value]": "https://kita.example",
    })
    assert response.status_code == 200, response.content
    me = response.json()
    assert me["display_name"] == "Kita Sonnenschein" and me["source"]["note"].startswith("Wir sind")
    assert '<a href="https://kita.example"' in me["note"] and me["fields"][0]["name"] == "Web"
    assert OutgoingActivity.objects.filter(type="Update").count() == 1
    json_update = api.patch("/api/v1/accounts/update_credentials", {"display_name": "x" * 101}, json=True)
    assert json_update.status_code == 422


def test_notifications_filters_dismiss_clear_and_markers(api, org):
    fan = make_org()
    fan_api = Api(issue_token(fan))
    status = post_create(author=org, text="Hallo")
    fan_api.post(f"/api/v1/accounts/{org.id}/follow")
    fan_api.post(f"/api/v1/statuses/{status.id}/favourite")
    fan_api.post("/api/v1/statuses", {"status": f"@{org.username} hallo zurück"})
    notes = api.get("/api/v1/notifications").json()
    assert [n["type"] for n in notes] == ["mention", "favourite", "follow"]
    assert [n["type"] for n in api.get("/api/v1/notifications", {"types[]": ["mention"]}).json()] == ["mention"]
    assert len(api.get("/api/v1/notifications", {"exclude_types[]": ["mention", "follow"]}).json()) == 1
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 3}
    marker = api.post("/api/v1/markers", {"notifications[last_read_id]": notes[1]["id"]}).json()
    assert marker["notifications"]["last_read_id"] == notes[1]["id"]
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert api.get("/api/v1/markers", {"timeline[]": ["notifications"]}).json()["notifications"]["version"] == 0
    assert api.post(f"/api/v1/notifications/{notes[0]['id']}/dismiss").json() == {}
    assert len(api.get("/api/v1/notifications").json()) == 2
    assert api.get(f"/api/v1/notifications/{notes[1]['id']}").json()["type"] == "favourite"
    assert api.post("/api/v1/notifications/clear").json() == {}
    assert api.get("/api/v1/notifications").json() == []


def test_search_accounts_statuses_hashtags(api, org):
    post_create(author=org, text="Inklusion in der #Kita")
    found = api.get("/api/v2/search", {"q": org.username}).json()
    assert [a["id"] for a in found["accounts"]] == [str(org.id)]
    assert len(api.get("/api/v2/search", {"q": "Inklusion", "type": "statuses"}).json()["statuses"]) == 1
    assert api.get("/api/v2/search", {"q": "#ki", "type": "hashtags"}).json()["hashtags"][0]["name"] == "kita"
    assert api.get("/api/v2/search", {"q": ""}).status_code == 422
    bob = remote_actor(host="far.example", username="bob")
    resolved = api.get("/api/v2/search", {"q": "@bob@far.example", "resolve": "true", "type": "accounts"}).json()
    assert [a["acct"] for a in resolved["accounts"]] == [bob.handle]
