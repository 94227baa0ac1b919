"""The Celery application: tasks run rows that live in the database (transactional inbox and outbox)."""

import logging
import os
import threading

from celery import Celery, signals
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from kombu.transport import TRANSPORT_ALIASES

log = logging.getLogger(__name__)

# filesystem:// (the embedded default) is kombu's transport with atomic writes and claims (fediverse_node/broker.py).
TRANSPORT_ALIASES["filesystem"] = "fediverse_node.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")

app = Celery("fediverse_node")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def database_connections_check(sender=None, **_) -> None:
    """Before and after each task, what Django does before and after a request: a connection that broke (a database
    restart, a fail-over) or outlived CONN_MAX_AGE is closed, and the next query opens a new one; the others are
    kept. Celery's own fixup closed them all around every task (CELERY_DB_REUSE_MAX turns that off), so each task
    opened a new connection: on PostgreSQL a new server process, whose prepared statements were lost with it.
    Not for a task run eagerly, inside its caller's transaction."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


@signals.worker_init.connect
def database_connections_persistent(**_) -> None:
    """A worker keeps its threads' connections for good (health-checked before each task, as above), where the web
    closes one after CONN_MAX_AGE. A thread's connection aged out while it sat idle, so a burst after a quiet spell
    (a post's fan-out to its followers' servers) began with every thread opening a connection at once; and each new
    connection lost the statements PostgreSQL had prepared on the old one."""
    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = None


@signals.worker_ready.connect
def database_connections_open(sender=None, **_) -> None:
    """Each thread of a worker's pool opens its PostgreSQL connection when the worker starts, not in its first task:
    sixteen first tasks that each opened one at once delayed a fresh node's first fan-out (docs/benchmarks.md,
    session 32). Only for the threads pool (`fediverse-node run`, docker-compose.yml)."""
    pool = getattr(sender, "pool", None)
    executor = getattr(pool, "executor", None)
    # SQLite's connection is a file: the first task opens it, and the pool starts its threads as needed
    servers = [alias for alias in connections if connections[alias].vendor != "sqlite"]
    if pool is None or executor is None or not servers:
        return
    # each job waits for the others, so that every thread of the pool takes one
    started_all = threading.Barrier(pool.limit)
    for _thread in range(pool.limit):
        executor.submit(_connections_open, servers, started_all)


def _connections_open(aliases: list[str], started_all: threading.Barrier) -> None:
    try:
        for alias in aliases:
            connections[alias].ensure_connection()
    except DatabaseError as error:  # the database is away: the first task opens them, as before
        log.warning("a worker thread could not open its database connection at start: %s", error)
    try:  # briefly: a worker that starts into a backlog has tasks in some threads, and this one holds its thread
        started_all.wait(timeout=2)
    except threading.BrokenBarrierError:
        pass
