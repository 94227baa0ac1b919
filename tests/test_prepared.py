"""fediverse_node/prepared.py: a query compiled once answers as the ORM would for every value put in."""

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from actors.models import Actor
from fediverse_node.prepared import PreparedQuery
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db


def by_domain(**values) -> QuerySet:
    return Actor.objects.filter(domain=values["domain"], id__gt=values["after"]).order_by("id").values_list(
        "id", "username", "created_at")


def test_values_go_where_the_markers_were_and_rows_are_converted_as_the_orm_does():
    actors = [remote_actor(host=host, username=f"a{i}") for i, host in enumerate(["a.example"] * 3 + ["b.example"])]
    query = PreparedQuery(by_domain, names=["domain", "after"])
    for domain, after in [("a.example", 0), ("a.example", actors[0].id), ("b.example", 0), ("c.example", 0)]:
        assert query.rows(domain=domain, after=after) == list(by_domain(domain=domain, after=after))
    assert query.rows(domain="a.example", after=0)[0][2].tzinfo is not None  # a datetime, on SQLite too
    with CaptureQueriesContext(connection) as captured:
        query.rows(domain="b.example", after=0)
    assert len(captured) == 1


def test_a_list_is_padded_with_its_last_value_and_bounded():
    actors = [remote_actor(host="a.example", username=f"a{i}") for i in range(4)]
    query = PreparedQuery(lambda ids: Actor.objects.filter(id__in=ids).order_by("id").values_list("id"),
                          lists={"ids": 3})
    assert query.rows(ids=[actors[2].id]) == [(actors[2].id,)]
    assert query.rows(ids=[actors[0].id, actors[3].id, actors[1].id]) == [(a.id,) for a in actors if a != actors[2]]
    with pytest.raises(ValueError):
        query.rows(ids=[a.id for a in actors])
    with pytest.raises(ValueError):
        query.rows(ids=[])


def test_a_build_that_drops_a_marker_or_is_not_values_list_is_refused():
    with pytest.raises(ValueError):
        PreparedQuery(lambda domain: Actor.objects.filter(domain="x").values_list("id"), names=["domain"]).rows(
            domain="x")
    with pytest.raises(TypeError):
        PreparedQuery(lambda domain: Actor.objects.filter(domain=domain), names=["domain"]).rows(domain="x")


def test_on_postgresql_the_constants_are_written_in_and_only_the_marked_values_are_parameters():
    """PostgreSQL's generic plan of a prepared statement sees the constants (fediverse_node/prepared.py); a constant
    with a quote, a percent sign or a placeholder in it is written in as text, not as SQL."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans every statement with its values")
    hostile = "it's 100% %s'); DROP TABLE actors_actor; --"
    wanted = remote_actor(host="a.example", username="a0")
    Actor.objects.filter(id=wanted.id).update(display_name=hostile)
    remote_actor(host="a.example", username="a1")

    def build(**values) -> QuerySet:
        return Actor.objects.filter(display_name=hostile, domain=values["domain"], id__gte=values["after"]).exclude(
            id__lt=values["after"]).values_list("id", "display_name")  # one marker in two places

    query = PreparedQuery(build, names=["domain", "after"])
    sql, kept, slots, *_ = query.compiled()
    assert len(kept) == 3 and sorted(name for _position, name, _index in slots) == ["after", "after", "domain"]
    assert "'it''s 100%% %%s''); DROP TABLE actors_actor; --'" in sql
    assert query.rows(domain="a.example", after=0) == [(wanted.id, hostile)]
    assert query.rows(domain="b.example", after=0) == []
    assert Actor.objects.count() == 2
