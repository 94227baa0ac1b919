"""PostgreSQL with a health check that costs no round trip while the connection is quiet.

Django's check (CONN_HEALTH_CHECKS) sends `SELECT 1` before the first query of every request and task: on a home
timeline request that was one round trip in five. A kept connection that sits idle between our queries receives
nothing from the server, unless the server is ending it: a restart, a fail-over or pg_terminate_backend sends an
error message and closes the socket. So the check first asks the kernel, without waiting, whether anything has
arrived; only then does it ask the server, as Django would. A connection cut without a word (a dead network path)
is not seen by either check: the query that follows fails, and Django closes the connection after that request.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE or _has_input(connection.fileno()):
            return super().is_usable()
        return True


def _has_input(fileno: int) -> bool:
    """Whether the socket holds something to read (a message, or the end of the stream), without waiting."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
