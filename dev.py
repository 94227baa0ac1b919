#!/usr/bin/env python3
"""Set-up in one command: `python3 dev.py run` installs and runs the node, `python3 dev.py test` runs every test.

Standard library only, so it works on a fresh machine with nothing but Python >= 3.11.
"""

import hashlib
import os
import shutil
import subprocess
import sys
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
        sh(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", target)
        stamp.write_text(digest)


def ensure_node_peer() -> None:
    """npm packages of the interop peers (Fedify, masto.js), installed from the lock file."""
    if not shutil.which("npm"):
        print("npm not found: interop tests with Node peers will fail in CI, skip elsewhere.", flush=True)
        return
    for folder in sorted((ROOT / "tests" / "interop").glob("*/package-lock.json")):
        lock_digest = hashlib.sha256(folder.read_bytes()).hexdigest()
        stamp = folder.parent / "node_modules" / ".installed"
        if not stamp.exists() or stamp.read_text() != lock_digest:
            sh("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=folder.parent)
            stamp.write_text(lock_digest)


def run(args: list[str]) -> None:
    ensure_venv("")
    env = dict(os.environ)
    env.setdefault("FEDINODE_DOMAIN", "localhost:8000")
    env.setdefault("FEDINODE_INSECURE_HTTP", "1")  # a local demo serves plain http on loopback
    os.execve(str(BIN / "fediverse-node"), ["fediverse-node", "run", "--bind", "127.0.0.1:8000", *args], env)


def ensure_chromium() -> None:
    """Debian's chromium drives the member map's browser test (Playwright downloads no browser of its own).
    CI installs it when missing; elsewhere the test skips with a note."""
    if shutil.which("chromium"):
        return
    if os.environ.get("CI") and shutil.which("apt-get") and os.geteuid() == 0:
        sh("apt-get", "update", "-qq")
        sh("apt-get", "install", "-y", "-qq", "chromium")
    else:
        print("chromium not found: the map's browser test will skip (apt-get install chromium).", flush=True)


def test(args: list[str]) -> None:
    ensure_venv("test")
    ensure_node_peer()
    ensure_chromium()
    sh(str(BIN / "ruff"), "check", ".")
    result = subprocess.run([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 dev.py run [--no-demo] | python3 dev.py test [pytest args]")
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
