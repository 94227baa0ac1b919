"""Backup of a running node, restore into a fresh data directory, and the same actor keys served again."""

from pathlib import Path

import pytest

from operations import backup
from tests.nodes import Node


def _same_address(node: Node, like: Node) -> Node:
    """A node with its own data directory on the address (hence domain) of another one."""
    node.host, node.port, node.domain, node.base = like.host, like.port, like.domain, like.base
    node.env["FEDINODE_DOMAIN"] = like.domain
    return node


def test_backup_restore_keeps_the_actor_keys(start_node, tmp_path):
    original = start_node("original")
    original.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    key_before = original.get_json(original.actor_url("kita"))["publicKey"]["publicKeyPem"]
    (original.data_dir / "media" / "attachments").mkdir(parents=True, exist_ok=True)
    (original.data_dir / "media" / "attachments" / "bild.txt").write_text("ein Bild")
    archive = tmp_path / "node.tar.gz"

    output = original.cli("backup", str(archive))  # while the node runs
    assert "written to" in output and archive.stat().st_mode & 0o077 == 0
    assert "exists already" in original.run_cli("backup", str(archive)).stderr
    original.stop()

    restored = _same_address(Node("restored"), original)
    try:
        assert "Restored the backup" in restored.cli("restore", str(archive))
        assert (restored.data_dir / "media" / "attachments" / "bild.txt").read_text() == "ein Bild"
        assert (restored.data_dir / "secret_key").read_text() == (original.data_dir / "secret_key").read_text()
        vapid = "vapid_private_key.pem"  # apps' push subscriptions were made for its public half
        assert (restored.data_dir / vapid).read_bytes() == (original.data_dir / vapid).read_bytes()
        refused = restored.run_cli("restore", str(archive))
        assert refused.returncode != 0 and "in use" in refused.stderr and "--force" in refused.stderr
        assert restored.run_cli("restore", "--force", str(archive)).returncode == 0
        restored.start()
        assert restored.get_json(restored.actor_url("kita"))["publicKey"]["publicKeyPem"] == key_before
    finally:
        restored.kill()
        restored.cleanup()


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    node = Node("empty")
    try:
        not_a_backup = Path(tmp_path / "x.tar.gz")
        not_a_backup.write_bytes(b"not gzip at all")
        result = node.run_cli("restore", str(not_a_backup))
        assert result.returncode != 0 and "not a readable tar.gz" in result.stderr
        assert "no backup file" in node.run_cli("restore", str(tmp_path / "missing.tar.gz")).stderr
    finally:
        node.cleanup()


def test_postgresql_without_pg_dump_is_refused_clearly(monkeypatch, tmp_path):
    monkeypatch.setattr(backup, "_engine", lambda: "postgresql")
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump is not on PATH"):
        backup.backup_create(path=tmp_path / "pg.tar.gz")
    assert not (tmp_path / "pg.tar.gz").exists()
