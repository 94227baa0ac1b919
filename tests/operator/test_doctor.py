"""`fediverse-node doctor` on a running node: all in order, then each broken part named with its fix."""

import os
import subprocess
from pathlib import Path

from tests.nodes import BIN, Node, command_run, wait_until


def _doctor(node: Node, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return command_run([str(BIN / "fediverse-node"), "doctor", *args], env={**node.env, **(env or {})}, timeout=180)


def _private(node: Node) -> None:
    """The node's secrets at mode 600, as a careful operator (or a newer node) keeps them."""
    for name in ("secret_key", "db.sqlite3", "inbox.sqlite3"):
        path = node.data_dir / name
        if path.exists():
            path.chmod(0o600)


def _fixes(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("FIX")]


def test_doctor_finds_a_healthy_node_in_order_and_names_what_breaks():
    node = Node("doctor")
    try:
        node.database_from_template()  # a fresh data directory's first command migrates: tests/operator/test_commands.py
        created = command_run([str(BIN / "fediverse-node"), "createorg", "praxis", "--email", "p@example.org",
                               "--password", "praxis-pass-1"], env=node.env, timeout=600)
        assert created.returncode == 0, created.stderr
        node.start()
        _private(node)
        # the workers may still be starting when the web server answers: doctor is asked until they do
        healthy = wait_until(lambda: (result := _doctor(node)).returncode == 0 and result, timeout=300,
                             message="a doctor run with nothing to fix")
        for check in ("database", "keys", "broker", "workers", "files", "media", "public"):
            assert f"ok  {check}" in healthy.stdout, (check, healthy.stdout)
        assert "WebFinger finds praxis@" in healthy.stdout

        (node.data_dir / "secret_key").chmod(0o644)
        node.stop()  # no web server, no worker
        broken = _doctor(node)
        assert broken.returncode == 1
        fixes = "\n".join(_fixes(broken))
        # every process of the node (doctor too) makes the data directory's files private again at its start
        assert (node.data_dir / "secret_key").stat().st_mode & 0o777 == 0o600 and "secret_key" not in fixes
        assert "FIX workers   no Celery worker answered" in fixes
        assert "/.well-known/nodeinfo does not answer" in fixes
        assert "Traceback" not in broken.stdout + broken.stderr
    except BaseException:
        print(f"--- log of the node ---\n{node.log_text()}")
        raise
    finally:
        node.kill()
        node.cleanup()


def test_doctor_names_an_unmigrated_database_and_http_ids_on_a_public_domain():
    node = Node("doctor-fresh")
    try:
        env = {"FEDINODE_DOMAIN": "social.example.org", "FEDINODE_SCHEME": "http"}
        result = _doctor(node, "--offline", env=env)
        fixes = "\n".join(_fixes(result))
        assert result.returncode == 1
        assert "migrations not applied: run `fediverse-node migrate`" in fixes
        assert "ids are http://social.example.org/…, plain http on a public domain" in fixes
        assert "FEDINODE_INSECURE_HTTP=1 lets peers on private addresses" in fixes
        assert "Traceback" not in result.stdout + result.stderr
    finally:
        node.cleanup()


def test_doctor_names_media_it_cannot_write(tmp_path):
    if os.geteuid() == 0:
        media = Path("/proc/fedinode-media")  # root writes anywhere, but not into /proc
    else:
        media = tmp_path / "media"
        media.mkdir(mode=0o500)
    node = Node("doctor-media", env={"FEDINODE_MEDIA_DIR": str(media)})
    try:
        result = _doctor(node, "--offline")
        assert f"FIX media     {media} is not writable" in result.stdout, result.stdout
    finally:
        node.cleanup()


def test_doctor_names_a_secret_file_others_can_read(tmp_path):
    """Where the node cannot tighten a file itself (a volume owned by another user), doctor says what to run."""
    from operations.doctor import _mode_problem

    secret = tmp_path / "secret_key"
    secret.write_text("x")
    secret.chmod(0o644)
    assert "readable by others" in _mode_problem(secret, private=True) and "chmod 600" in _mode_problem(secret, private=True)
    secret.chmod(0o600)
    assert _mode_problem(secret, private=True) is None
