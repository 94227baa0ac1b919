"""File modes: the data directory (SQLite databases with private keys, password hashes and OAuth tokens, the
secret key, the broker's messages) is readable by the node's own user only, from the first start, and so is a
backup from its first byte. Checked on a real node process and on the backup service."""

import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from operations import backup
from tests.nodes import Node

ROOT = Path(__file__).resolve().parent.parent.parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _readable_by_others(folder: Path) -> list[str]:
    return [f"{p} {oct(_mode(p))}" for p in [folder, *folder.rglob("*")] if not p.is_symlink() and _mode(p) & 0o077]


@pytest.mark.federation
def test_a_node_keeps_its_data_private_from_the_first_start():
    node = Node("modes")
    node.data_dir.chmod(0o755)  # as `mkdir data` under the usual umask leaves it
    try:
        node.start()
        node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
        node.cli("post", "verein", "Hallo")
        names = {p.name for p in node.data_dir.iterdir()}
        if node.database is None:  # the embedded default; on PostgreSQL the databases live in the server
            assert {"db.sqlite3", "inbox.sqlite3", "secret_key"} <= names
        assert _mode(node.data_dir) == 0o700
        (node.data_dir / "node.log").chmod(0o600)  # the test harness's own log, not the node's
        assert _readable_by_others(node.data_dir) == []
    finally:
        node.kill()
        node.cleanup()


def test_files_an_older_version_left_readable_are_tightened_at_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("db.sqlite3", "secret_key", "inbox.sqlite3-wal"):
        (data / name).write_bytes(b"x")
        (data / name).chmod(0o644)
    env = {**os.environ, "FEDINODE_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "fediverse_node.settings"}
    env.pop("DATABASE_URL", None)
    code = "import django; django.setup(); import os; print(oct(os.umask(0)))"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0o77"  # what the process creates from now on is private
    assert _mode(data) == 0o700
    assert {name: oct(_mode(data / name)) for name in ("db.sqlite3", "secret_key", "inbox.sqlite3-wal")} == {
        "db.sqlite3": "0o600", "secret_key": "0o600", "inbox.sqlite3-wal": "0o600"}


@pytest.mark.django_db
def test_a_backup_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """Even under a lax umask, the partial archive is 0600 before anything is written into it."""
    seen: list[int] = []
    real_add = tarfile.TarFile.addfile

    def addfile(archive, info, fileobj=None, **kwargs):
        seen.append(_mode(tmp_path / ".node.tar.gz.partial"))
        return real_add(archive, info, fileobj, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "addfile", addfile)
    monkeypatch.setattr(backup, "_database_dump", lambda workdir: [])
    old = os.umask(0o022)
    try:
        backup.backup_create(path=tmp_path / "node.tar.gz")
    finally:
        os.umask(old)
    assert seen and set(seen) == {0o600}
    assert _mode(tmp_path / "node.tar.gz") == 0o600
