"""SQLite for the embedded default, with one node-wide write lock that wakes the next writer at once.

SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps in growing steps up to
100 ms and retries. With the web workers, the inbox appender and the worker threads all writing, those sleeps
(not the writes) set the pace: 150-700 inbox POSTs/s with p99 above a second. Here every write first takes an
exclusive flock() on a file beside the database; a blocked writer sleeps in the kernel and runs the moment the
holder commits. Readers never take it (WAL lets them read during a write).
"""

import fcntl
import os

from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class WriteLock:
    """An exclusive flock on its own open file: it excludes other processes and other connections of this one."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False

    def acquire(self) -> None:
        if not self.held:
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # releases the GIL while it waits
            self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        os.close(self.fd)


class LockingCursor(base.SQLiteCursorWrapper):
    write_lock: WriteLock | None = None

    def execute(self, query, params=None):
        return self._locked(super().execute, query, params)

    def executemany(self, query, param_list):
        return self._locked(super().executemany, query, param_list)

    def _locked(self, run, query, params):
        lock = self.write_lock
        if lock is None or self.connection.in_transaction:
            return run(query, params)  # inside a transaction the lock was taken at BEGIN
        head = query.lstrip()[:6].upper()
        if head.startswith("BEGIN"):
            lock.acquire()  # held until commit or rollback
            try:
                return run(query, params)
            except BaseException:
                lock.release()
                raise
        if head not in WRITES:
            return run(query, params)
        lock.acquire()  # a single statement in autocommit mode: its own short transaction
        try:
            return run(query, params)
        finally:
            lock.release()


class DatabaseWrapper(base.DatabaseWrapper):
    write_lock: WriteLock | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            self.write_lock = WriteLock(f"{self.settings_dict['NAME']}-writelock")
        return connection

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=LockingCursor)
        cursor.write_lock = self.write_lock
        return cursor

    def _commit(self):
        try:
            super()._commit()  # type: ignore[misc]  # django-stubs omits the private hook
        finally:
            self._release()

    def _rollback(self):
        try:
            super()._rollback()  # type: ignore[misc]  # django-stubs omits the private hook
        finally:
            self._release()

    def _close(self):
        try:
            super()._close()  # type: ignore[misc]  # django-stubs omits the private hook
        finally:
            if self.write_lock is not None:
                self.write_lock.close()
                self.write_lock = None

    def _release(self) -> None:
        if self.write_lock is not None and not self.connection.in_transaction:
            self.write_lock.release()
