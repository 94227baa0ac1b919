"""A lean HTTP/1.1 load generator: pre-built requests over kept-alive loopback connections, in its own process.

Python's http.client costs ~150 µs of CPU per request on the client side; on a 2-core machine that shares the
cores with the node it measured the generator, not the node. Here each request is a byte string written as it is,
and the answer is read just far enough to know its status and length (the node always sends Content-Length).
"""

import asyncio
import multiprocessing
import time


def raw_request(method: str, host: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() not in ("host", "content-length")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _send(host: str, port: int, requests: list[bytes], concurrency: int) -> tuple[float, dict, list[float]]:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    work = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        for request in work:
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - started, statuses, latencies


def _child(host, port, requests, concurrency, out) -> None:
    out.put(asyncio.run(_send(host, port, requests, concurrency)))


def send_requests(host: str, port: int, requests: list[bytes], concurrency: int = 32) -> tuple[float, dict, list[float]]:
    """Send every request once; returns (seconds, status counts, latencies). Runs in a child process so the
    caller's threads and imports do not share its GIL."""
    out = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_child, args=(host, port, requests, concurrency, out))
    child.start()
    result = out.get()
    child.join()
    return result
