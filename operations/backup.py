"""Backup and restore of a node: one tar.gz with the database, the generated secret key and the media folder.

Archive layout (format 1):
    manifest.json   what is inside and where it came from
    database/db.sqlite3 and database/inbox.sqlite3 (the inbox spool) | database/db.pgdump
    data/secret_key, data/vapid_private_key.pem, data/demo-created   (when the data directory holds them)
    media/...       the media folder
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

from fediverse_node.filemodes import private_file_open

FORMAT = 1
# The VAPID key: the clients' push subscriptions were made for its public half.
DATA_FILES = ("secret_key", "vapid_private_key.pem", "demo-created")
# What `settings` itself creates in a data directory on start: their presence does not make it "in use".
STARTUP_LEFTOVERS = {"secret_key", "vapid_private_key.pem", "broker", "static", "celerybeat-schedule"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor in ("sqlite", "postgresql"):
        return vendor
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")


def _sqlite_files() -> dict[str, Path]:
    """Every SQLite file of the node by alias: the main database and, on the embedded default, the inbox spool."""
    return {alias: Path(db["NAME"]) for alias, db in settings.DATABASES.items() if connections[alias].vendor == "sqlite"}


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"The database is PostgreSQL and {name} is not on PATH: install the PostgreSQL client tools "
            f"(the same major version as the server) and run the command again."
        )
    return path


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database (the password stays out of the command line)."""
    db = settings.DATABASES["default"]
    values = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
              "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db.get("NAME")}
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def _sqlite_copy(database: Path, target: Path) -> None:
    """A consistent copy while the node runs: SQLite's online backup API, not a file copy of a live WAL database."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()


def _database_dump(workdir: Path) -> list[Path]:
    if _engine() == "sqlite":
        targets = []
        for database in _sqlite_files().values():
            if database.exists():
                _sqlite_copy(database, workdir / database.name)
                targets.append(workdir / database.name)
        return targets
    target = workdir / "db.pgdump"
    # Custom format: compressed, and pg_restore can --clean into an existing database.
    result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)],
                            env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return [target]


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, path: Path) -> dict:
    """Write the node's database, secret key and media into a new tar.gz at path; returns the manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name.")
    engine = _engine()
    data_dir = Path(settings.DATA_DIR)
    media_dir = Path(settings.MEDIA_ROOT)
    manifest: dict = {
        "format": FORMAT, "engine": engine, "domain": settings.FEDINODE_DOMAIN,
        "created": datetime.now(UTC).isoformat(), "data_files": [n for n in DATA_FILES if (data_dir / n).exists()],
        "secret_key_from_environment": bool(os.environ.get("SECRET_KEY")),
    }
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix="fedinode-backup-") as workdir:
        dumps = _database_dump(Path(workdir))
        try:
            # 0600 from its first byte: it holds the secret key and every actor's private key
            with private_file_open(partial) as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
                for dump in dumps:
                    archive.add(dump, f"database/{dump.name}")
                for name in manifest["data_files"]:
                    archive.add(data_dir / name, f"data/{name}")
                if media_dir.is_dir():
                    archive.add(media_dir, "media")
            os.replace(partial, path)  # a reader never sees half an archive
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _in_use(data_dir: Path, media_dir: Path) -> list[str]:
    """What in the data directory (and media folder) a restore would overwrite."""
    found = []
    if data_dir.is_dir():
        for entry in data_dir.iterdir():
            if entry.name in STARTUP_LEFTOVERS or entry.name.endswith("-writelock") or (entry.is_dir() and not any(p.is_file() for p in entry.rglob("*"))):
                continue
            found.append(str(entry))
    if media_dir.is_dir() and any(p.is_file() for p in media_dir.rglob("*")):
        found.append(str(media_dir))
    if _engine() == "postgresql" and "django_migrations" in connections["default"].introspection.table_names():
        found.append("the PostgreSQL database (it has tables)")
    return sorted(set(found))


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        source = archive.extractfile("manifest.json")
        if source is None:  # not a regular file
            raise KeyError("manifest.json")
        manifest = json.loads(source.read())
    except (KeyError, ValueError):
        raise BackupError("This is not a fediverse-node backup (no readable manifest.json).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not one this version reads ({FORMAT}).")
    if manifest.get("engine") != _engine():
        raise BackupError(
            f"The backup holds a {manifest.get('engine')} database but this node is configured for {_engine()}."
        )
    return manifest


def _extract_member(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    """One regular file to target, through a temporary name so an interrupted restore leaves no torn file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    temporary.unlink(missing_ok=True)  # left by an interrupted restore
    source = archive.extractfile(member)
    if source is None:
        raise BackupError(f"{member.name} in the backup is not a regular file.")
    with source, private_file_open(temporary) as out:
        shutil.copyfileobj(source, out)
    os.replace(temporary, target)


def _restore_database(archive: tarfile.TarFile, data_dir: Path) -> None:
    connections.close_all()
    if _engine() == "sqlite":
        names = set(archive.getnames())
        for database in _sqlite_files().values():
            if f"database/{database.name}" not in names:
                continue  # e.g. a backup made before the inbox spool existed: `run` creates it empty
            for suffix in ("-wal", "-shm"):  # the old write-ahead log must not be replayed onto the restored file
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            _extract_member(archive, archive.getmember(f"database/{database.name}"), database)
        return
    with tempfile.TemporaryDirectory(prefix="fedinode-restore-") as workdir:
        dump = Path(workdir) / "db.pgdump"
        _extract_member(archive, archive.getmember("database/db.pgdump"), dump)
        result = subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--dbname", _pg_env()["PGDATABASE"],
             str(dump)], env=_pg_env(), capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def backup_restore(*, path: Path, force: bool = False) -> dict:
    """Restore a backup into this node's (empty) data directory; refuses one in use unless force."""
    data_dir = Path(settings.DATA_DIR)
    media_dir = Path(settings.MEDIA_ROOT)
    if not Path(path).is_file():
        raise BackupError(f"There is no backup file at {path}.")
    occupied = _in_use(data_dir, media_dir)
    if occupied and not force:
        raise BackupError(
            "The data directory is in use (" + ", ".join(occupied) + "); restore into an empty one, or pass "
            "--force to overwrite it (stop the node first)."
        )
    try:
        archive = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path} is not a readable tar.gz archive: {error}") from None
    with archive:
        manifest = _read_manifest(archive)
        _restore_database(archive, data_dir)
        for name in manifest.get("data_files", []):
            if name in DATA_FILES:  # only the names we write; a crafted archive cannot place files elsewhere
                _extract_member(archive, archive.getmember(f"data/{name}"), data_dir / name)
        if force and media_dir.is_dir():
            shutil.rmtree(media_dir)
        media = [m for m in archive.getmembers() if m.name.startswith("media/")]
        # The "data" filter refuses absolute paths, "..", links leaving the folder and device files.
        try:
            archive.extractall(media_dir.parent, members=_renamed(media, media_dir.name), filter="data")
        except tarfile.FilterError as error:
            raise BackupError(f"The archive's media folder holds a file we refuse to write: {error}") from None
    if (data_dir / "secret_key").exists():
        (data_dir / "secret_key").chmod(0o600)
    return manifest


def _renamed(members: list[tarfile.TarInfo], folder: str) -> list[tarfile.TarInfo]:
    """Archive members under media/ moved to the configured media folder's own name."""
    for member in members:
        member.name = folder + member.name[len("media"):]
    return members
