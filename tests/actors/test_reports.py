"""Staff resolve reports: the service's one transition, and the admin list with its bulk action."""

import pytest
from django.contrib.auth import get_user_model

from actors.models import Report
from actors.services.local import organization_create
from actors.services.reports import ReportError, report_create, report_resolve
from posts.services.publishing import post_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    reporter = organization_create(username="melder", email="m@example.org", password="melder-pass-1")
    target = organization_create(username="ziel", email="z@example.org", password="ziel-pass-12")
    return report_create(reporter=reporter, target=target, comment="Spam", category="spam")


def test_resolve_once(report):
    staff = get_user_model().objects.create_user("staff", password="staff-pass-1", is_staff=True)
    report_resolve(report=report, by=staff)
    first = report.resolved_at
    assert report.state == "resolved" and report.resolved_by == staff and first is not None
    report_resolve(report=report, by=None)
    assert report.resolved_at == first and report.resolved_by == staff


def test_posts_must_be_by_the_target(report):
    stranger_post = post_create(author=report.reporter, text="Hallo")
    with pytest.raises(ReportError):
        report_create(reporter=report.reporter, target=report.target, posts=[stranger_post])
    assert Report.objects.count() == 1


def test_admin_lists_and_resolves(client, report):
    admin = get_user_model().objects.create_superuser("chef", "chef@example.org", "chef-pass-123")
    client.force_login(admin)
    listing = client.get("/admin/actors/report/")
    assert listing.status_code == 200 and "ziel@" in listing.content.decode()
    assert client.get(f"/admin/actors/report/{report.id}/change/").status_code == 200
    client.post("/admin/actors/report/", {"action": "resolve", "_selected_action": [report.id]})
    report.refresh_from_db()
    assert report.state == "resolved" and report.resolved_by == admin
