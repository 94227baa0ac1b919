"""The release as its users get it: the wheel and sdist built by the Dockerfile's build command, installed by the
Dockerfile's install command into a fresh virtual environment (no extras, nothing from the source tree), and node
processes run from there in an empty working directory without PYTHONPATH, on one of the three back-ends."""

import fcntl
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.nodes import POSTGRES_URL, _postgres, free_loopback_address
from tests.release.dockerfile import commands_of, dockerfile_stages

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
RABBITMQ = ("127.0.0.1", 5672)
POSTGRES = ("127.0.0.1", 5432)
BACKENDS = ("embedded", "postgres-redis", "postgres-rabbitmq")


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def require_services(*addresses: tuple[str, int], tools: tuple[str, ...] = ()) -> None:
    """Skip on a laptop without the servers (or tools) a back-end needs; fail in CI."""
    missing = [f"{host}:{port}" for host, port in addresses if not reachable((host, port))]
    missing += [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the release check needs {', '.join(missing)} in CI")
        pytest.skip(f"not available here: {', '.join(missing)}")


def _build_dist(out: Path) -> tuple[Path, Path]:
    """The Dockerfile's build stage: `python -m build --outdir /dist .` in the source tree (its `pip install build`
    is the test extra's `build` here). Returns the wheel and the sdist."""
    build_stage = dockerfile_stages()[0]
    [command] = commands_of(build_stage, "python")
    assert command[:3] == ["python", "-m", "build"], command
    args = [str(out) if part == "/dist" else str(ROOT) if part == "." else part for part in command[3:]]
    result = subprocess.run([sys.executable, "-m", "build", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"building the release failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    [wheel] = out.glob("fediverse_node-*.whl")
    [sdist] = out.glob("fediverse_node-*.tar.gz")
    return wheel, sdist


def _install(venv: Path, dist: Path) -> None:
    """A fresh venv, then the final stage's `pip install /dist/fediverse_node-*.whl`: real dependency resolution,
    no extras (pip's download cache is kept, unlike the image's PIP_NO_CACHE_DIR, so that repeated runs are fast)."""
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True, timeout=300)
    final = dockerfile_stages()[-1]
    [command] = commands_of(final, "pip")
    args = []
    for part in command[1:]:
        if part.startswith("/dist/"):
            matches = glob.glob(str(dist / part.removeprefix("/dist/")))
            assert len(matches) == 1, (part, matches)
            part = matches[0]
        args.append(part)
    result = subprocess.run([str(venv / "bin" / "pip"), *args, "--disable-pip-version-check", "--quiet"],
                            cwd=venv, env=clean_env(venv), capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise AssertionError(f"installing the wheel failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


class Release:
    """The built wheel and sdist and the virtual environment they were installed into."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.venv = folder / "venv"
        self.dist = folder / "dist"

    @property
    def wheel(self) -> Path:
        return next(self.dist.glob("fediverse_node-*.whl"))

    @property
    def sdist(self) -> Path:
        return next(self.dist.glob("fediverse_node-*.tar.gz"))

    def program(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def prepare(self) -> "Release":
        """Build and install once per test session, shared by the xdist workers (a lock file orders them)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (self.folder / "ready").exists():
                shutil.rmtree(self.dist, ignore_errors=True)
                shutil.rmtree(self.venv, ignore_errors=True)
                _build_dist(self.dist)
                _install(self.venv, self.dist)
                (self.folder / "ready").write_text("ok\n")
        return self


def release_folder(basetemp: Path) -> Path:
    """One folder per test session: under pytest's base temp folder, which the xdist workers of a run share and pytest
    removes after a few runs. FEDINODE_RELEASE_DIR names one to keep between runs while working on these tests (it is
    built once: delete it after changing the project)."""
    if os.environ.get("FEDINODE_RELEASE_DIR"):
        return Path(os.environ["FEDINODE_RELEASE_DIR"])
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    return shared / "release"


def clean_env(venv: Path, **extra: str) -> dict[str, str]:
    """An environment with nothing of the developer's: the venv's programs first, no PYTHONPATH, no settings."""
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("PIP_CONFIG_FILE", "PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT", "PIP_INDEX_URL",
                 "PIP_EXTRA_INDEX_URL", "TMPDIR"):  # how this machine reaches its package index
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra)
    return env


class InstalledNode:
    """`fediverse-node run` of the installed wheel on one back-end, in a working directory of its own."""

    def __init__(self, release: Release, name: str, backend: str = "embedded", *, env: dict | None = None):
        assert backend in BACKENDS, backend
        self.release, self.name, self.backend = release, name, backend
        self.host, self.port = free_loopback_address()
        self.domain = f"{self.host}:{self.port}"
        self.base = f"http://{self.domain}"
        # the node's folder (data, log), removed by cleanup; a test may run the node in another working directory
        self.home = Path(tempfile.mkdtemp(prefix=f"fedinode-release-{name}-"))
        self.cwd = self.home
        self.data_dir = self.home / "data"
        self.database: str | None = None
        self.vhost: str | None = None
        self.env = clean_env(
            release.venv,
            FEDINODE_DOMAIN=self.domain,
            FEDINODE_DATA_DIR=str(self.data_dir),
            FEDINODE_INSECURE_HTTP="1",
            FEDINODE_DELIVERY_FIRST_RETRY="1",
            FEDINODE_WEB_WORKERS="1",
            FEDINODE_WORKER_PROCESSES="1",
            FEDINODE_WORKER_CONCURRENCY="4",
        )
        if backend != "embedded":
            self._use_postgres()
        if backend == "postgres-redis":
            redis_url = f"redis://{REDIS[0]}:{REDIS[1]}/0"
            self.env.update(CELERY_BROKER_URL=redis_url, REDIS_URL=redis_url, FEDINODE_REDIS_PREFIX=self.database)
        if backend == "postgres-rabbitmq":
            self.vhost = self.database
            _rabbitmqctl("add_vhost", self.vhost)
            _rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
            self.env["CELERY_BROKER_URL"] = f"amqp://guest:guest@{RABBITMQ[0]}:{RABBITMQ[1]}/{self.vhost}"
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None
        self.log_path = self.home / "node.log"

    def _use_postgres(self) -> None:
        self.database = f"fedinode_release_{self.name.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
        with _postgres() as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self.env["DATABASE_URL"] = f"{POSTGRES_URL}/{self.database}"

    def run_cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([self.release.program("fediverse-node"), *args], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def cli(self, *args: str) -> str:
        result = self.run_cli(*args)
        if result.returncode != 0:
            raise AssertionError(f"fediverse-node {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout.strip()

    def start(self, *args: str, command: list[str] | None = None) -> "InstalledNode":
        """Start `fediverse-node run` (or `command`) and wait until NodeInfo answers."""
        command = command or [self.release.program("fediverse-node"), "run", "--bind", self.domain, "--no-demo"]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([*command, *args], cwd=self.cwd, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"node {self.name} exited:\n{self.log_text()}")
            try:
                if requests.get(f"{self.base}/.well-known/nodeinfo", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"node {self.name} did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-20000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)
        if self.database:
            with _postgres() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database = None
        if self.vhost:
            _rabbitmqctl("delete_vhost", self.vhost)
            self.vhost = None

    def actor_url(self, username: str) -> str:
        return f"{self.base}/actors/{username}"


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def backend_services(backend: str) -> None:
    """What a back-end needs besides the wheel (skip on a laptop, fail in CI)."""
    if backend == "postgres-redis":
        require_services(POSTGRES, REDIS)
    elif backend == "postgres-rabbitmq":
        require_services(POSTGRES, RABBITMQ, tools=("rabbitmqctl",))
