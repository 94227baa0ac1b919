"""Migrated databases for test nodes: migrated once per test process, copied for each node that starts.

Migrating a fresh database costs about ten seconds of CPU (both SQLite files of the embedded default, or one
PostgreSQL database); `fediverse-node run` migrates on every start, and on a copy of a migrated database it finds
nothing left to do. The copy is a file copy on SQLite and `CREATE DATABASE … TEMPLATE` on PostgreSQL. The migrations
hold no node-specific rows (no domain, no keys), so one template serves every node.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

POSTGRES_URL = os.environ.get("FEDINODE_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("FEDINODE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SQLITE_FILES = ("db.sqlite3", "inbox.sqlite3")
MIGRATE = (
    "import django\n"
    "django.setup()\n"
    "from django.conf import settings\n"
    "from django.core.management import call_command\n"
    "for database in settings.DATABASES:\n"
    "    call_command('migrate', database=database, interactive=False, verbosity=0)\n"
    # closing folds SQLite's write-ahead log into the database file, so the file alone is the whole database
    "from django.db import connections\n"
    "connections.close_all()\n"
)

_lock = threading.Lock()
_sqlite_dir: Path | None = None
_postgres_template: str | None = None


def _postgres():
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    return psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True)


def _migrate(data_dir: Path, **env: str) -> None:
    """Run every migration in a process with a node's settings (the test process has settings of its own)."""
    environment = {
        key: value for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "FEDINODE_REDIS_PREFIX", "CELERY_TASK_ALWAYS_EAGER"}
    }
    environment.update({
        "DJANGO_SETTINGS_MODULE": "fediverse_node.settings", "FEDINODE_DATA_DIR": str(data_dir),
        "FEDINODE_DOMAIN": "127.0.0.1:1", "FEDINODE_INSECURE_HTTP": "1", **env,
    })
    result = subprocess.run(
        [sys.executable, "-c", MIGRATE], env=environment, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrating the template database failed:\n{result.stdout}\n{result.stderr}")


def _sqlite_template() -> Path:
    global _sqlite_dir
    with _lock:
        if _sqlite_dir is None:
            folder = Path(tempfile.mkdtemp(prefix="fedinode-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _migrate(folder)
            _sqlite_dir = folder
        return _sqlite_dir


def sqlite_files_copy(data_dir: Path) -> None:
    """Put the migrated SQLite files of the embedded default into a new node's data directory."""
    template = _sqlite_template()
    for name in SQLITE_FILES:
        shutil.copyfile(template / name, data_dir / name)


def _postgres_template_name() -> str:
    global _postgres_template
    with _lock:
        if _postgres_template is None:
            name = f"fedinode_template_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            with _postgres() as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            atexit.register(_postgres_drop, name)
            folder = Path(tempfile.mkdtemp(prefix="fedinode-template-"))
            try:
                _migrate(folder, DATABASE_URL=f"{POSTGRES_URL}/{name}")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            _postgres_template = name
        return _postgres_template


def _postgres_drop(name: str) -> None:
    with _postgres() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_database_is_empty(name: str) -> bool:
    """Whether nothing has made tables in the database yet (no migration ran there, whoever ran it)."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/{name}", autocommit=True) as connection:
        return connection.execute("SELECT to_regclass('django_migrations') IS NULL").fetchone()[0]


def postgres_database_create(name: str, *, from_template: bool, replace: bool = False) -> None:
    """A node's own PostgreSQL database: a copy of the migrated template, or empty; `replace` drops one of that
    name first (the empty database a node was made with)."""
    template = f' TEMPLATE "{_postgres_template_name()}"' if from_template else ""
    with _postgres() as connection:
        if replace:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"{template}')
