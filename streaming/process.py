"""The streaming process that `fediverse-node run` starts beside the WSGI server: granian's ASGI interface on a port
of its own (FEDINODE_STREAMING_BIND), so long-lived connections never hold a WSGI thread."""

import os
import sys

STREAMING_WORKERS = int(os.environ.get("FEDINODE_STREAMING_WORKERS", "1"))


def streaming_bind_default(*, host: str, port: str) -> str:
    """FEDINODE_STREAMING_BIND, or the web server's port plus one on the same host."""
    return os.environ.get("FEDINODE_STREAMING_BIND") or f"{host}:{int(port) + 1}"


def streaming_command(*, bind: str, kill_timeout: int) -> list[str]:
    host, _, port = bind.rpartition(":")
    return [
        sys.executable, "-m", "granian", "--interface", "asgi", "--host", host.strip("[]"), "--port", port,
        "--workers", str(STREAMING_WORKERS), "--workers-kill-timeout", str(kill_timeout),
        "--log-level", "warning", "streaming.asgi:application",
    ]
