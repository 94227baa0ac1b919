"""Loopback HTTP servers of the tests (peers, feeds, push receivers) in a background thread."""

import socketserver
import threading
import time

# How often serve_forever looks for shutdown(): at its default of 0.5 s, each server a test stopped cost it up to
# half a second of waiting (a second per hostile case, with two peers).
SHUTDOWN_POLL_SECONDS = 0.05


def serve_thread(server: socketserver.BaseServer) -> threading.Thread:
    """A daemon thread that serves until server.shutdown() (not started)."""
    return threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True)


def drip(wfile, head: bytes, *, seconds: float = 10, every: float = 0.1) -> None:
    """A hostile server's answer: `head`, then a byte every `every` seconds for at most `seconds`. Each read of the
    client is quick, the answer never ends. Stops when the client hangs up."""
    try:
        wfile.write(head)
        for _ in range(int(seconds / every)):
            wfile.write(b" ")
            wfile.flush()
            time.sleep(every)
    except OSError:
        pass
