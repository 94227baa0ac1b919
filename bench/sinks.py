"""Loopback inbox servers for delivery benchmarks: many listening sockets in one asyncio process, counting POSTs."""

import asyncio
import multiprocessing
import time


async def _serve(ports: list[tuple[str, int]], counter, started) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                with counter.get_lock():
                    counter.value += 1
                writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()

    servers = [await asyncio.start_server(handle, host, port, backlog=512) for host, port in ports]
    started.set()
    await asyncio.gather(*(server.serve_forever() for server in servers))


def _run(ports, counter, started) -> None:
    asyncio.run(_serve(ports, counter, started))


class InboxSinks:
    """N inboxes on loopback addresses; .count is the number of POSTs they received."""

    def __init__(self, addresses: list[tuple[str, int]]):
        self.addresses = addresses
        self.counter = multiprocessing.Value("q", 0)
        started = multiprocessing.Event()
        self.process = multiprocessing.Process(target=_run, args=(addresses, self.counter, started), daemon=True)
        self.process.start()
        if not started.wait(30):
            raise RuntimeError("inbox sinks did not start")

    @property
    def count(self) -> int:
        return self.counter.value

    def wait_for(self, total: int, timeout: float = 120) -> float:
        start = time.monotonic()
        while self.count < total and time.monotonic() - start < timeout:
            time.sleep(0.02)  # the time measured is the node's own sent_at, not this poll
        return time.monotonic() - start

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)
