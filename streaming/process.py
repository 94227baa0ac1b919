"""The streaming process that `fediverse-node run` starts beside the WSGI server: granian's ASGI interface on a port
of its own (FEDINODE_STREAMING_BIND), so long-lived connections never hold a WSGI thread."""

import os

from fediverse_node.environment import env_int

STREAMING_WORKERS = env_int("FEDINODE_STREAMING_WORKERS", 1, minimum=0)


def streaming_bind_default(*, host: str, port: str) -> str:
    """FEDINODE_STREAMING_BIND, or the web server's port plus one on the same host."""
    return os.environ.get("FEDINODE_STREAMING_BIND") or f"{host}:{int(port) + 1}"


def streaming_serve(*, bind: str, kill_timeout: int) -> None:
    """Serve the streaming API (granian ASGI) until stopped: run in a child that `run` forks."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    host, _, port = bind.rpartition(":")
    Server(
        "streaming.asgi:application", address=host.strip("[]"), port=int(port), interface=Interfaces.ASGI,
        workers=STREAMING_WORKERS, workers_kill_timeout=kill_timeout, log_level=LogLevels.warning,
        process_name="fedinode-stream",
    ).serve()
