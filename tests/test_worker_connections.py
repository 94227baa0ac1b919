"""A Celery worker's database connections (fediverse_node/celery.py, CELERY_DB_REUSE_MAX): a task keeps its
thread's connection for the next one, as a web request does, and a connection the database ended is replaced
before the next task's first query; each thread of the pool opens its connection when the worker starts and keeps
it for good."""

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings
from django.db import connection, connections

from fediverse_node.celery import app, database_connections_open, database_connections_persistent
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


class _Consumer:
    """What worker_ready carries as its sender: the worker's consumer, with its pool."""

    def __init__(self, pool) -> None:
        self.pool = pool


def _in_each_thread(executor: ThreadPoolExecutor, threads: int, job):
    """job() once in each of the pool's threads (each waits for the others, so no thread takes two)."""
    together = threading.Barrier(threads)

    def run():
        together.wait(timeout=10)
        return threading.get_ident(), job()

    return [future.result(timeout=20) for future in [executor.submit(run) for _ in range(threads)]]


@pytest.mark.django_db(transaction=True)
def test_a_workers_threads_open_their_connections_at_start_and_keep_them(monkeypatch):
    """A thread's connection that aged out (CONN_MAX_AGE) while it sat idle was opened again in the first task of
    a burst, in every thread at once."""
    for database in settings.DATABASES.values():
        monkeypatch.setitem(database, "CONN_MAX_AGE", 600)
    pool = SimpleNamespace(limit=4, executor=ThreadPoolExecutor(max_workers=4))
    try:
        # what the worker's start sends (Celery's own Django fixup, also listening, would install itself for real)
        assert database_connections_persistent in signals.worker_init._live_receivers(None)
        assert database_connections_open in signals.worker_ready._live_receivers(None)
        database_connections_persistent()
        database_connections_open(sender=_Consumer(pool))
        seen = _in_each_thread(pool.executor, 4, lambda: [
            (connections[alias].connection is not None, connections[alias].close_at) for alias in connections
        ])
        assert len({thread for thread, _ in seen}) == 4
        # PostgreSQL's connections are open; SQLite's are opened in the first task (a file, no round trip)
        assert all(opened == (connection.vendor != "sqlite") and close_at is None
                   for _, states in seen for opened, close_at in states), seen
    finally:
        _in_each_thread(pool.executor, 4, connections.close_all)
        pool.executor.shutdown()
