"""POST /api/v1/reports: Mastodon's Report entity, refusals that store nothing, and the forwarded Flag."""

import orjson
import pytest
from django.utils import timezone

from actors.models import Report
from actors.services.local import INSTANCE_ACTOR_USERNAME
from outbox.models import OutgoingActivity
from posts.models import Post, Visibility
from posts.services.publishing import post_create
from tests.factories import remote_actor

from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db


def remote_post(author, n: int = 1) -> Post:
    return Post.objects.create(
        uri=f"{author.uri}/statuses/{n}", author=author, content="<p>Werbung!</p>", published=timezone.now()
    )


def test_report_a_local_account_with_a_post(api, org):
    spammer = make_org()
    post = post_create(author=spammer, text="Kauft jetzt!")
    response = api.post("/api/v1/reports", {
        "account_id": str(spammer.id), "status_ids[]": [str(post.id)], "comment": "Werbung", "category": "spam",
        "rule_ids[]": ["1"], "forward": "true",
    })
    assert response.status_code == 200, response.content
    entity = response.json()
    assert entity["status_ids"] == [str(post.id)] and entity["target_account"]["id"] == str(spammer.id)
    assert entity["category"] == "spam" and entity["comment"] == "Werbung"
    assert entity["action_taken"] is False and entity["action_taken_at"] is None
    assert entity["forwarded"] is False  # a local account has no other server to tell
    assert entity["created_at"].endswith("Z") and entity["rule_ids"] is None
    report = Report.objects.get()
    assert report.reporter == org and report.state == "open" and list(report.posts.all()) == [post]
    assert not OutgoingActivity.objects.filter(type="Flag").exists()


def test_report_as_json_without_posts(api):
    target = make_org()
    entity = api.post("/api/v1/reports", {"account_id": str(target.id)}, json=True).json()
    assert entity["status_ids"] is None and entity["category"] == "other" and entity["comment"] == ""


def test_forwarded_report_sends_a_flag_from_the_instance_actor(api, org):
    bob = remote_actor(host="remote.example", username="bob")
    post = remote_post(bob)
    entity = api.post("/api/v1/reports", {
        "account_id": str(bob.id), "status_ids": [str(post.id)], "comment": "Belästigung", "forward": True,
        "category": "violation",
    }, json=True).json()
    assert entity["forwarded"] is True
    flag = OutgoingActivity.objects.get(type="Flag")
    body = orjson.loads(bytes(flag.body))
    assert flag.actor.username == INSTANCE_ACTOR_USERNAME and body["actor"] == flag.actor.uri
    assert body["object"] == [bob.uri, post.uri] and body["content"] == "Belästigung"
    assert org.uri not in bytes(flag.body).decode()  # the reporter stays unnamed on the other server
    assert [d.inbox_url for d in flag.deliveries.all()] == ["https://remote.example/inbox"]
    assert Report.objects.get().uri == body["id"]


def test_remote_report_without_forward_stays_here(api):
    bob = remote_actor(host="remote.example")
    assert api.post("/api/v1/reports", {"account_id": str(bob.id)}).json()["forwarded"] is False
    assert not OutgoingActivity.objects.filter(type="Flag").exists()


@pytest.mark.parametrize("data, status, words", [
    ({"account_id": "99999"}, 404, "not found"),
    ({"account_id": ""}, 422, "account_id"),
    ({"comment": "x" * 1001}, 422, "comment"),
    ({"category": "gossip"}, 422, "category"),
    ({"status_ids[]": ["99999"]}, 404, "status"),
    ({"status_ids[]": ["abc"]}, 404, "status"),
])
def test_bad_input_is_refused_and_nothing_stored(api, data, status, words):
    target = make_org()
    response = api.post("/api/v1/reports", {"account_id": str(target.id), **data})
    assert response.status_code == status, response.content
    assert words in response.json()["error"]
    assert Report.objects.count() == 0


def test_status_of_another_account_is_refused(api):
    target, other = make_org(), make_org()
    post = post_create(author=other, text="Harmlos")
    response = api.post("/api/v1/reports", {"account_id": str(target.id), "status_ids[]": [str(post.id)]})
    assert response.status_code == 422 and "not by the reported account" in response.json()["error"]
    assert Report.objects.count() == 0


def test_status_the_reporter_cannot_see_is_not_found(api):
    target = make_org()
    post = post_create(author=target, text="Nur für Folgende", visibility=Visibility.PRIVATE)
    response = api.post("/api/v1/reports", {"account_id": str(target.id), "status_ids[]": [str(post.id)]})
    assert response.status_code == 404 and Report.objects.count() == 0


def test_reporting_oneself_is_refused(api, org):
    assert api.post("/api/v1/reports", {"account_id": str(org.id)}).status_code == 422


def test_scope(org):
    target = make_org()
    assert Api(issue_token(org, scope="read")).post(
        "/api/v1/reports", {"account_id": str(target.id)}).status_code == 403
    assert Api(issue_token(org, scope="write:reports")).post(
        "/api/v1/reports", {"account_id": str(target.id)}).status_code == 200
    assert Api(None).post("/api/v1/reports", {"account_id": str(target.id)}).status_code == 401
    assert Report.objects.count() == 1
