"""Polls through the client API: create (form and JSON), read, vote, the errors, and the entity's shape."""

from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from outbox.models import OutgoingActivity
from posts.models import Poll, Post
from tests.factories import accepted_follow, remote_actor

from .conftest import Api, issue_token, make_org

pytestmark = pytest.mark.django_db
FORM_POLL = {"status": "Wann feiern wir?", "poll[options][]": ["Freitag", "Samstag", "Sonntag"],
             "poll[expires_in]": "3600"}


def created(api: Api, data: dict, *, json: bool = False) -> dict:
    response = api.post("/api/v1/statuses", data, json=json)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_poll_from_a_form_has_mastodons_shape(api, org):
    status = created(api, FORM_POLL)
    poll = status["poll"]
    assert set(poll) == {"id", "expires_at", "expired", "multiple", "votes_count", "voters_count", "options",
                         "emojis", "voted", "own_votes"}
    assert [o["title"] for o in poll["options"]] == ["Freitag", "Samstag", "Sonntag"]
    assert [o["votes_count"] for o in poll["options"]] == [0, 0, 0]
    assert (poll["multiple"], poll["expired"], poll["votes_count"], poll["voters_count"]) == (False, False, 0, 0)
    assert poll["voted"] is True and poll["own_votes"] == []  # the author counts as having voted, as in Mastodon
    assert poll["expires_at"].endswith("Z")
    assert Post.objects.get(id=status["id"]).type == "Question"
    assert Api(None).get(f"/api/v1/polls/{poll['id']}").json()["options"][0]["title"] == "Freitag"
    assert "voted" not in Api(None).get(f"/api/v1/polls/{poll['id']}").json()


def test_a_poll_from_json_is_multiple_choice(api):
    status = created(api, {"status": "Was bringt ihr mit?", "poll": {
        "options": ["Kuchen", "Salat"], "expires_in": 300, "multiple": True, "hide_totals": False}}, json=True)
    assert status["poll"]["multiple"] is True and len(status["poll"]["options"]) == 2


@pytest.mark.parametrize("poll", [
    {"poll[options][]": ["nur eine"], "poll[expires_in]": "3600"},
    {"poll[options][]": ["a", "b", "c", "d", "e"], "poll[expires_in]": "3600"},
    {"poll[options][]": ["a", "x" * 51], "poll[expires_in]": "3600"},
    {"poll[options][]": ["a", "a"], "poll[expires_in]": "3600"},
    {"poll[options][]": ["a", "b"], "poll[expires_in]": "299"},
    {"poll[options][]": ["a", "b"], "poll[expires_in]": str(31 * 24 * 3600)},
    {"poll[options][]": ["a", "b"], "poll[expires_in]": "bald"},
    {"poll[options][]": ["a", "b"]},
])
def test_bad_polls_are_refused_with_422(api, poll):
    response = api.post("/api/v1/statuses", {"status": "Frage", **poll})
    assert response.status_code == 422, response.content
    assert "error" in response.json() and not Post.objects.exists()


def test_members_vote_once_and_see_the_counts(api, org):
    status = created(api, FORM_POLL)
    poll_id = status["poll"]["id"]
    voter = Api(issue_token(make_org("waehler")))
    answer = voter.post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": ["1"]})
    assert answer.status_code == 200, answer.content
    poll = answer.json()
    assert [o["votes_count"] for o in poll["options"]] == [0, 1, 0]
    assert (poll["voted"], poll["own_votes"], poll["votes_count"], poll["voters_count"]) == (True, [1], 1, 1)
    assert voter.get(f"/api/v1/statuses/{status['id']}").json()["poll"]["own_votes"] == [1]
    assert api.get(f"/api/v1/polls/{poll_id}").json()["options"][1]["votes_count"] == 1
    again = voter.post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": ["0"]})
    assert again.status_code == 422 and "already voted" in again.json()["error"]
    own = api.post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": ["0"]})
    assert own.status_code == 422 and "own poll" in own.json()["error"]


@pytest.mark.parametrize("choices", [[], ["7"], ["-1"], ["eins"], ["0", "1"]])
def test_bad_choices_are_refused(api, choices):
    poll_id = created(api, FORM_POLL)["poll"]["id"]
    voter = Api(issue_token(make_org()))
    answer = voter.post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": choices}, json=False)
    assert answer.status_code == 422, answer.content
    assert Poll.objects.get(pk=poll_id).votes.count() == 0


def test_a_multiple_choice_vote_takes_several_options_from_json(api):
    poll_id = created(api, {**FORM_POLL, "poll[multiple]": "true"})["poll"]["id"]
    voter = Api(issue_token(make_org()))
    poll = voter.post(f"/api/v1/polls/{poll_id}/votes", {"choices": [0, 2]}, json=True).json()
    assert [o["votes_count"] for o in poll["options"]] == [1, 0, 1] and poll["voters_count"] == 1


def test_an_expired_poll_takes_no_votes(api):
    poll_id = created(api, FORM_POLL)["poll"]["id"]
    Poll.objects.filter(pk=poll_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    Post.objects.filter(id=poll_id).update(updated_at=timezone.now())
    voter = Api(issue_token(make_org()))
    answer = voter.post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": ["0"]})
    assert answer.status_code == 422 and "ended" in answer.json()["error"]
    assert api.get(f"/api/v1/polls/{poll_id}").json()["expired"] is True


def test_hidden_totals_show_to_the_author_only_until_the_end(api):
    poll_id = created(api, {**FORM_POLL, "poll[hide_totals]": "true"})["poll"]["id"]
    voter = Api(issue_token(make_org()))
    assert voter.post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": ["0"]}).json()["options"][0]["votes_count"] is None
    assert api.get(f"/api/v1/polls/{poll_id}").json()["options"][0]["votes_count"] == 1


def test_polls_of_hidden_posts_and_unknown_polls_are_404(api):
    private = created(api, {**FORM_POLL, "visibility": "private"})
    assert Api(issue_token(make_org())).get(f"/api/v1/polls/{private['poll']['id']}").status_code == 404
    plain = created(api, {"status": "keine Frage"})
    assert plain["poll"] is None
    assert api.get(f"/api/v1/polls/{plain['id']}").status_code == 404
    assert api.get("/api/v1/polls/abc").status_code == 404


def test_the_question_federates_with_mastodons_shape(api, org):
    accepted_follow(follower=remote_actor(host="a.example"), target=org)
    status = created(api, {**FORM_POLL, "poll[multiple]": "1"})
    create = orjson.loads(OutgoingActivity.objects.get(type="Create").body)
    question = create["object"]
    assert question["type"] == "Question" and question["id"] == status["uri"]
    assert [o["name"] for o in question["anyOf"]] == ["Freitag", "Samstag", "Sonntag"]
    assert question["anyOf"][0] == {"type": "Note", "name": "Freitag", "replies": {"type": "Collection", "totalItems": 0}}
    assert question["votersCount"] == 0 and question["endTime"].startswith(status["poll"]["expires_at"][:19])
    assert "closed" not in question and "oneOf" not in question


def test_the_instance_tells_the_limits(anonymous):
    polls = anonymous.get("/api/v2/instance").json()["configuration"]["polls"]
    assert polls == {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300,
                     "max_expiration": 2592000}
