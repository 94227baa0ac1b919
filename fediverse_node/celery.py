"""The Celery application: tasks run rows that live in the database (transactional inbox and outbox)."""

import os

from celery import Celery, signals
from django.db import close_old_connections
from kombu.transport import TRANSPORT_ALIASES

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
