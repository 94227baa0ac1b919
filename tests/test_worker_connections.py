"""A Celery worker's database connections (fediverse_node/celery.py, CELERY_DB_REUSE_MAX): a task keeps its
thread's connection for the next one, as a web request does, and a connection the database ended is replaced
before the next task's first query."""

from types import SimpleNamespace

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from fediverse_node.celery import app
from tests.database_cut import postgres_only
from tests.nodes import _postgres


@pytest.fixture
def worker_fixup():
    """Celery's Django fixup as a worker installs it at start (it closes connections around tasks)."""
    fixup = DjangoWorkerFixup(app).install()
    yield fixup
    signals.task_prerun.disconnect(fixup.on_task_prerun)
    signals.task_postrun.disconnect(fixup.on_task_postrun)
    signals.worker_process_init.disconnect(fixup.on_worker_process_init)
    signals.beat_embedded_init.disconnect(fixup.close_database)


class _Task:
    """What the signals carry as their sender: a task, with its request."""

    request: SimpleNamespace


def _task_runs(*, eager: bool = False) -> None:
    """The signals a worker sends around one task (in the thread that runs it)."""
    task = _Task()
    task.request = SimpleNamespace(is_eager=eager)
    signals.task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    signals.task_postrun.send(sender=task, task_id="t", task=task, args=(), kwargs={}, retval=None, state="SUCCESS")


def _server_process() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 1")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_tasks_keep_their_threads_connection(worker_fixup):
    connection.ensure_connection()
    kept = connection.connection
    for _ in range(3):
        _task_runs()
        assert connection.connection is kept
        _server_process()
    assert connection.connection is kept


@pytest.mark.django_db
def test_a_task_run_eagerly_leaves_its_callers_transaction_alone(worker_fixup):
    connection.ensure_connection()
    kept = connection.connection
    assert connection.in_atomic_block
    _task_runs(eager=True)
    assert connection.connection is kept and connection.in_atomic_block


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_ended_is_replaced_before_the_next_task(worker_fixup):
    ended = _server_process()
    with _postgres() as admin:  # what a restart or a fail-over does to the connection
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [ended])
    _task_runs()
    assert _server_process() != ended
