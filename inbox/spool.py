"""On SQLite, received activities live in a file of their own, the inbox spool (DATA_DIR/inbox.sqlite3).

SQLite has one writer per file. Processing an activity holds the main file's write lock for milliseconds (post,
mentions, notifications, home feeds), and a burst of POSTs would wait behind it: accepting would run no faster
than processing. With its own file, answering 202 only waits for the other appends. PostgreSQL has row locks and
keeps everything in one database (no router there).
"""

SPOOL = "inbox"


class InboxSpoolRouter:
    def db_for_read(self, model, **hints):
        return SPOOL if model._meta.app_label == "inbox" else None

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, **hints):
        if app_label == "inbox":
            return db == SPOOL
        return db != SPOOL
