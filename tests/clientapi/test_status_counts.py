"""Status counts on timelines: kept per process for a while, and counted anew by one request at a time."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientapi import localcache
from clientapi.entities import accounts
from clientapi.entities.accounts import STATUS_COUNT_SECONDS, AccountStats
from clientapi.localcache import fragments
from posts.models import Post
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The clock of the counts and of the process's cache, moved by the test."""
    fake = Clock()
    monkeypatch.setattr(accounts, "time", fake)
    monkeypatch.setattr(localcache, "time", fake)
    fragments.clear()
    yield fake
    fragments.clear()


def _post(author) -> None:
    Post.objects.create(author=author, uri=f"{author.uri}/notes/{uuid.uuid4()}", content="<p>Hallo</p>",
                        published=timezone.now(), visibility="public", local=False)


def _count(author_id: int) -> tuple[int, int]:
    """(statuses counted, queries run) as a timeline page reads them."""
    with CaptureQueriesContext(connection) as queries:
        stats = AccountStats([author_id], cached_statuses=True, follow_counts=({}, {}))
    return stats.statuses[author_id][0], len(queries)


def test_an_old_count_is_counted_anew_by_one_request_while_the_others_show_it(clock):
    author = remote_actor(host="viel.example")
    _post(author)
    _post(author)
    assert _count(author.id) == (2, 1)
    _post(author)
    assert _count(author.id) == (2, 0)  # kept: a count on a timeline may lag

    clock.now += STATUS_COUNT_SECONDS + 1
    # another request of this process is counting already: this one shows the old count and reads nothing
    assert fragments.add(f"api:statuses-recount:{author.id}", True, 10)
    assert _count(author.id) == (2, 0)
    fragments.delete_many([f"api:statuses-recount:{author.id}"])

    assert _count(author.id) == (3, 1)  # the first to find it old counts anew
    assert _count(author.id) == (3, 0)  # and the next ones read that


def test_a_recount_claimed_by_a_request_that_failed_passes_to_another(clock):
    author = remote_actor(host="abbruch.example")
    _post(author)
    assert _count(author.id) == (1, 1)
    _post(author)
    clock.now += STATUS_COUNT_SECONDS + 1
    assert fragments.add(f"api:statuses-recount:{author.id}", True, accounts.RECOUNT_CLAIM_SECONDS)
    assert _count(author.id) == (1, 0)
    clock.now += accounts.RECOUNT_CLAIM_SECONDS + 1
    assert _count(author.id) == (2, 1)
