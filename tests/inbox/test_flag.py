"""Incoming Flag: reports from other servers about our accounts and posts."""

import pytest

from actors.models import Report
from actors.services.local import organization_create
from fediverse_node.protocol.vocab import Activity
from inbox.handlers import Unprocessable, handle_flag
from inbox.models import InboxItem, InboxState
from inbox.tasks import item_run
from posts.services.publishing import post_create
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db


def org(name: str):
    return organization_create(username=name, email=f"{name}@example.org", password="flag-pass-123")


def flag(sender, *objects, id_suffix: str = "1", content: str = "Spam") -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"https://remote.example/flags/{id_suffix}",
        "type": "Flag",
        "actor": sender.uri,
        "object": list(objects),
        "content": content,
    }


@pytest.fixture
def sender():
    return remote_actor(host="remote.example", username="instance")


def test_flag_of_a_local_account_and_post_opens_a_report(sender):
    target, other = org("ziel"), org("andere")
    post, stranger_post = post_create(author=target, text="Kauft!"), post_create(author=other, text="Hallo")
    assert handle_flag(Activity.parse(flag(sender, target.uri, post.uri, stranger_post.uri)), sender) == InboxState.PROCESSED
    report = Report.objects.get()
    assert report.reporter is None and report.origin_domain == "remote.example" and report.state == "open"
    assert report.target == target and list(report.posts.all()) == [post]  # the other account's post is left out
    assert report.comment == "Spam" and report.uri == "https://remote.example/flags/1"
    handle_flag(Activity.parse(flag(sender, target.uri, post.uri)), sender)  # redelivered: no second report
    assert Report.objects.count() == 1


def test_flag_naming_only_a_post_reports_its_author(sender):
    target = org("ziel")
    post = post_create(author=target, text="Kauft!")
    handle_flag(Activity.parse(flag(sender, {"id": post.uri, "type": "Note"}, content="x" * 5000)), sender)
    report = Report.objects.get()
    assert report.target == target and list(report.posts.all()) == [post] and len(report.comment) == 1000


def test_flag_naming_nothing_local_is_unprocessable_and_stores_nothing(sender):
    remote = remote_actor(host="remote.example", username="someone")
    with pytest.raises(Unprocessable):
        handle_flag(Activity.parse(
            flag(sender, remote.uri, "https://remote.example/statuses/1", "https://testserver/nobody")), sender)
    with pytest.raises(Unprocessable):
        handle_flag(Activity.parse({**flag(sender), "object": None}), sender)
    assert Report.objects.count() == 0


def test_inbox_item_with_a_foreign_flag_is_ignored(sender):
    activity = flag(sender, "https://elsewhere.example/users/x", id_suffix="2")
    item = InboxItem.objects.create(activity_id=activity["id"], type="Flag", actor_uri=sender.uri, payload=activity)
    item_run(item.id)
    item.refresh_from_db()
    assert item.state == InboxState.IGNORED and "names no account" in item.error
    assert Report.objects.count() == 0
