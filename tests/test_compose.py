"""docker-compose.yml, Dockerfile and .env.example (issue #7), checked without Docker (no daemon or images here):
their shape, and on the PostgreSQL + Redis pass the compose services' own commands and health checks, run on this
machine against its servers, publishing a post to a follower."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.probe import Probe
from tests.federation.test_faults import SEED, Inboxes
from tests.federation.test_queues import PUBLISH
from tests.nodes import BIN, Node, free_loopback_address, wait_until

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_has_every_part_with_health_checks_and_volumes():
    assert {"postgres", "redis", "migrate", "web", "worker", "beat", "caddy"} <= set(SERVICES)
    for name in ("postgres", "redis", "web", "worker"):
        assert SERVICES[name]["healthcheck"]["test"][0] == "CMD", name
    assert SERVICES["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert SERVICES["caddy"]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert {"data", "postgres", "redis", "caddy"} <= set(COMPOSE["volumes"])
    for name in ("migrate", "web", "worker", "beat"):  # one image, one set of settings
        service = SERVICES[name]
        assert service["image"] == "fediverse-node:latest" and service["env_file"] == ".env", name
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"} <= set(service["environment"]), name
        assert "data:/data" in service["volumes"], name
    queues = SERVICES["worker"]["command"][SERVICES["worker"]["command"].index("--queues") + 1].split(",")
    assert {"inbox", "deliveries", "housekeeping"} <= set(queues)


def test_every_variable_compose_uses_is_in_the_env_example():
    used = set(re.findall(r"\$\{(\w+)\}", (ROOT / "docker-compose.yml").read_text() + (ROOT / "Caddyfile").read_text()))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if "=" in line and not line.startswith("#")}
    assert used and used <= example, used - example


# The image installs the built wheel: tests/release/test_dockerfile.py runs its build, install and start commands.


def _local(command: list[str], node: Node) -> list[str]:
    """A compose command as it runs on this machine: the venv's programs, the node's address."""
    program = str(BIN / command[0]) if (BIN / command[0]).exists() else sys.executable if command[0] == "python" else command[0]
    return [program, *(part.replace("0.0.0.0:8000", node.domain).replace("127.0.0.1:8000", node.domain) for part in command[1:])]


def _health(service: str, node: Node) -> subprocess.CompletedProcess:
    return subprocess.run(_local(SERVICES[service]["healthcheck"]["test"][1:], node), env=node.env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.federation
@pytest.mark.skipif(os.environ.get("FEDINODE_TEST_BACKEND") != "postgres", reason="the PostgreSQL + Redis pass runs it")
def test_compose_services_run_and_deliver():
    node = Node("compose")  # its own PostgreSQL database and Redis prefix on this pass
    inboxes = Inboxes()
    follower = inboxes.listen(*free_loopback_address())
    processes: list[subprocess.Popen] = []
    log = open(node.data_dir / "services.log", "wb")
    try:
        migrate = subprocess.run(_local(SERVICES["migrate"]["command"], node), env=node.env, capture_output=True,
                                 text=True, timeout=300)
        assert migrate.returncode == 0, migrate.stderr
        for service in ("web", "worker", "beat"):
            processes.append(subprocess.Popen(_local(SERVICES[service]["command"], node), env=node.env,
                                              stdout=log, stderr=subprocess.STDOUT))
        wait_until(lambda: _health("web", node).returncode == 0, timeout=60, message="the web health check")
        wait_until(lambda: _health("worker", node).returncode == 0, timeout=60, message="the worker health check")

        node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
        assert node.query(SEED.format(hosts=[follower], followers=1)) == 1
        with Probe(node.env) as probe:
            activity_id = probe.run(PUBLISH)
        wait_until(lambda: inboxes.activity_copies(activity_id), timeout=30, message="the delivery by the worker")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        time.sleep(0.5)  # let the last connections close before the database is dropped
        inboxes.stop()
        print((node.data_dir / "services.log").read_text(errors="replace")[-5000:])
        node.cleanup()
