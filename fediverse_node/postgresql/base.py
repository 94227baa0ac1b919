"""PostgreSQL with a health check that costs no round trip while the connection is quiet.

Django's check (CONN_HEALTH_CHECKS) sends `SELECT 1` before the first query of every request and task: on a home
timeline request that was one round trip in five. A kept connection that sits idle between our queries receives
nothing from the server, unless the server is ending it: a restart, a fail-over or pg_terminate_backend sends an
error message and closes the socket. So the check first asks the kernel, without waiting, whether anything has
arrived; only then does it ask the server, as Django would. A connection cut without a word (a dead network path)
is not seen by either check: the query that follows fails, and Django closes the connection after that request.

Timestamps are read by psycopg's compiled loader. Django registers its own loader for `timestamptz`, a subclass of
psycopg's pure-Python one, so that every datetime comes back in the connection's zone; with the zone UTC (always,
with USE_TZ and no TIME_ZONE for the database) the compiled loader gives the same value, and parsing datetimes
in Python was a fourteenth of a home timeline request's Python time.

Lists (the columns of a bulk insert) are dumped by arrays.ListTextDumper: whole lists of strings or integers at once.
"""

import datetime
import functools
import select

from django.db.backends.postgresql import base
from psycopg import abc, adapt, adapters, pq
from psycopg.types.datetime import TimestamptzLoader

from .arrays import ListTextDumper

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
# psycopg's own loader: compiled when psycopg's C implementation is installed (psycopg[binary])
_FastTimestamptzLoader: type[abc.Loader] = adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT) or TimestamptzLoader


class UtcTimestamptzLoader(adapt.Loader):
    """psycopg's loader under the name Django looks for: Django registers its own on every cursor unless the
    connection's loader says that it loads in Django's zone (compiled loaders cannot be subclassed)."""

    timezone = datetime.UTC

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        # psycopg takes a loader's `load` once per result: the compiled loader's own method, no call in between
        self.load = _FastTimestamptzLoader(oid, context).load  # type: ignore[method-assign]

    def load(self, data):  # replaced per instance above
        raise NotImplementedError


@functools.cache
def _adapters(template: adapt.AdaptersMap, utc: bool) -> adapt.AdaptersMap:
    context = adapt.AdaptersMap(template)
    context.register_dumper(list, ListTextDumper)
    if utc:
        context.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if "context" in params:
            utc = self.timezone is datetime.UTC and self.timezone_name == "UTC"
            params["context"] = _adapters(params["context"], utc)
        return params

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
