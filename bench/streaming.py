"""Streaming API: `python -m bench.streaming [--streams 1000] [--posts 5]` (FEDINODE_TEST_BACKEND=postgres for
PostgreSQL + Redis).

Starts `fediverse-node run` on loopback with one streaming process, opens N server-sent-event streams (the user
stream of a member who follows the author, as Mastodon.py opens it), and prints how many the process holds, its
memory per stream, and the delay from a post's `POST /api/v1/statuses` answer to its `update` on every stream.
"""

import argparse
import asyncio
import statistics
import time

from tests.api_session import log_in
from tests.nodes import Node, streaming_processes, streaming_wait

PASSWORD = "bench-pass-123"


async def _open(host: str, port: int, token: str, arrivals: dict, opened: asyncio.Event, counter: list) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /api/v1/streaming/user HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    assert b" 200 " in status, status
    counter[0] += 1
    if counter[0] == counter[1]:
        opened.set()
    event = None
    while line := await reader.readline():
        if line.startswith(b"event: "):
            event = line[7:].strip()
        elif line.startswith(b"data: ") and event == b"update":
            uri = line.split(b'"uri":"', 1)[1].split(b'"', 1)[0].decode()
            arrivals.setdefault(uri, []).append(time.perf_counter())


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def _run(node: Node, token: str, author, streams: int, posts: int) -> dict:
    arrivals: dict[str, list[float]] = {}
    opened, counter = asyncio.Event(), [0, streams]
    idle_rss = sum(_rss_kib(pid) for pid in streaming_processes(node))
    started = time.perf_counter()
    tasks = []
    for index in range(streams):
        tasks.append(asyncio.ensure_future(_open(node.host, node.streaming_port, token, arrivals, opened, counter)))
        if index % 100 == 99:
            await asyncio.sleep(0.05)  # a ramp, not a SYN flood
    await asyncio.wait_for(opened.wait(), 120)
    open_seconds = time.perf_counter() - started
    await asyncio.sleep(1)
    rss = sum(_rss_kib(pid) for pid in streaming_processes(node))
    delays: list[float] = []
    complete = 0
    for index in range(posts):
        status = await asyncio.to_thread(author.ok, "POST", "/api/v1/statuses", data={"status": f"Messung {index}"})
        answered = time.perf_counter()
        deadline = answered + 10
        while len(arrivals.get(status["uri"], ())) < streams and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        got = arrivals.get(status["uri"], [])
        complete += len(got) == streams
        delays += [max(0.0, t - answered) for t in got]
        await asyncio.sleep(0.5)
    for task in tasks:
        task.cancel()
    delays.sort()
    return {
        "streams": streams, "open_seconds": open_seconds, "rss_mib": rss / 1024,
        "kib_per_stream": (rss - idle_rss) / streams, "posts_on_every_stream": f"{complete}/{posts}",
        "p50_ms": statistics.median(delays) * 1000 if delays else None,
        "p99_ms": delays[int(len(delays) * 0.99) - 1] * 1000 if delays else None,
        "max_ms": delays[-1] * 1000 if delays else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=5)
    args = parser.parse_args()
    node = Node("bench-streaming", env={"FEDINODE_STREAMING_WORKERS": "1", "FEDINODE_WEB_WORKERS": "1"}).start()
    try:
        node.cli("createorg", "leser", "--email", "leser@example.org", "--password", PASSWORD)
        node.cli("createorg", "autor", "--email", "autor@example.org", "--password", PASSWORD)
        reader = log_in(node.base, username="leser", password=PASSWORD)
        author = log_in(node.base, username="autor", password=PASSWORD)
        target = reader.ok("GET", "/api/v1/accounts/lookup", params={"acct": "autor"})
        reader.ok("POST", f"/api/v1/accounts/{target['id']}/follow")
        streaming_wait(node)
        token = reader.headers["Authorization"][len("Bearer "):]
        result = asyncio.run(_run(node, token, author, args.streams, args.posts))
    finally:
        node.stop()
        node.cleanup()
    print(f"streaming: {result['streams']} streams open in {result['open_seconds']:.1f} s on one streaming process "
          f"({result['rss_mib']:.0f} MiB, {result['kib_per_stream']:.0f} KiB per stream); "
          f"posts on every stream {result['posts_on_every_stream']}; post -> event p50 {result['p50_ms']:.0f} ms, "
          f"p99 {result['p99_ms']:.0f} ms, max {result['max_ms']:.0f} ms")


if __name__ == "__main__":
    main()
