"""Migrated databases for test nodes: migrated once per test run, copied for each node that starts.

Migrating a fresh database costs about twenty seconds of CPU (both SQLite files of the embedded default, or one
PostgreSQL database), and collecting the static files two more; `fediverse-node run` does both on every start, and on
a copy of a migrated database and of collected static files it finds nothing left to do. The copy is a file copy on
SQLite and `CREATE DATABASE … TEMPLATE` on PostgreSQL. The migrations hold no node-specific rows (no domain, no keys),
so one template serves every node.

The test processes of one xdist run share one template: the controller names the run in FEDINODE_TEST_RUN, which
its workers inherit; the first worker to need a template makes it under a file lock, the others wait for it, and the
controller removes it at the end (`templates_remove`, called from tests/conftest.py). A test process on its own
makes one for itself.
"""

import atexit
import contextlib
import fcntl
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
COLLECT = "import django\ndjango.setup()\nfrom fediverse_node.staticstorage import static_collect\nstatic_collect()\n"
STATIC = "static"  # the collected static files, in a node's data directory (STATIC_ROOT)

_lock = threading.Lock()
_made_folders: dict[str, Path] = {}
_postgres_template: str | None = None
RUN_VARIABLE = "FEDINODE_TEST_RUN"  # set by the run's controller (tests/conftest.py), inherited by its workers


def _postgres():
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    return psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True)


def _migrate(data_dir: Path, *, code: str = MIGRATE, **env: str) -> None:
    """Run every migration (or other `code`) in a process with a node's settings (the test process has settings of
    its own)."""
    environment = {
        key: value for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "FEDINODE_REDIS_PREFIX", "CELERY_TASK_ALWAYS_EAGER"}
    }
    environment.update({
        "DJANGO_SETTINGS_MODULE": "fediverse_node.settings", "FEDINODE_DATA_DIR": str(data_dir),
        "FEDINODE_DOMAIN": "127.0.0.1:1", "FEDINODE_INSECURE_HTTP": "1", **env,
    })
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrating the template database failed:\n{result.stdout}\n{result.stderr}")


def _run_folder() -> Path:
    return Path(tempfile.gettempdir()) / f"fedinode-templates-{os.environ[RUN_VARIABLE]}"


def _shared_folder() -> Path:
    """The folder of this run's templates: one for every worker of an xdist run, else one for this process."""
    if os.environ.get(RUN_VARIABLE):
        folder = _run_folder()
        folder.mkdir(exist_ok=True)
        return folder
    folder = Path(tempfile.mkdtemp(prefix="fedinode-template-"))
    atexit.register(templates_remove, folder=folder, postgres=None)
    return folder


@contextlib.contextmanager
def _made_once(marker: Path):
    """Yields True to the one test process that must make what `marker` records (it writes the marker when done),
    False to every other: they wait on the lock until it is made."""
    with open(marker.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield not marker.exists()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _made(name: str, code: str) -> Path:
    """The run's folder `name`, where `code` ran once with a node's settings (FEDINODE_DATA_DIR=that folder)."""
    with _lock:
        if name not in _made_folders:
            folder = _shared_folder() / name
            folder.mkdir(exist_ok=True)
            with _made_once(folder / "done") as make:
                if make:
                    _migrate(folder, code=code)
                    (folder / "done").write_text("made\n")
            _made_folders[name] = folder
        return _made_folders[name]


def _sqlite_template() -> Path:
    return _made("sqlite", MIGRATE)


def sqlite_files_copy(data_dir: Path) -> None:
    """Put the migrated SQLite files of the embedded default into a new node's data directory."""
    template = _sqlite_template()
    for name in SQLITE_FILES:
        shutil.copyfile(template / name, data_dir / name)


def _static_template() -> Path:
    return _made("collected", COLLECT) / STATIC


def static_files_copy(data_dir: Path) -> None:
    """The collected static files, with their times (the manifest must stay newer than the sources)."""
    shutil.copytree(_static_template(), data_dir / STATIC, dirs_exist_ok=True)


def _postgres_template_name() -> str:
    global _postgres_template
    with _lock:
        if _postgres_template is None:
            folder = _shared_folder()
            marker = folder / "postgres"
            with _made_once(marker) as make:
                if make:
                    name = f"fedinode_template_{os.getpid()}_{uuid.uuid4().hex[:8]}"
                    with _postgres() as connection:
                        connection.execute(f'CREATE DATABASE "{name}"')
                    scratch = Path(tempfile.mkdtemp(prefix="fedinode-template-"))
                    try:
                        _migrate(scratch, DATABASE_URL=f"{POSTGRES_URL}/{name}")
                    finally:
                        shutil.rmtree(scratch, ignore_errors=True)
                    marker.write_text(name)
            _postgres_template = marker.read_text()
            if not os.environ.get(RUN_VARIABLE):
                atexit.register(_postgres_drop, _postgres_template)
        return _postgres_template


def templates_remove(*, folder: Path | None = None, postgres: bool | None = True) -> None:
    """Remove this run's templates (the controller of an xdist run calls it once every worker has ended)."""
    if folder is None:
        if not os.environ.get(RUN_VARIABLE):
            return
        folder = _run_folder()
    marker = folder / "postgres"
    if postgres and marker.exists():
        with contextlib.suppress(Exception):  # no PostgreSQL here: nothing was made there
            _postgres_drop(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)


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
