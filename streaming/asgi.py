"""The streaming API as an ASGI application (granian --interface asgi): Mastodon's WebSocket at
/api/v1/streaming (`stream=` and subscribe/unsubscribe messages), its server-sent-event routes and the health check.

It holds connections and forwards events from the bus; the database is read only to check a token when a
client connects, in a thread, so the event loop never waits on it."""

import asyncio
import os
from urllib.parse import parse_qs

import django
import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
django.setup()

from .access import StreamAccess, access_for  # noqa: E402  (needs Django set up first)
from .bus import bus  # noqa: E402
from .hub import Stream, hub  # noqa: E402
from .streams import StreamError, stream_subscription  # noqa: E402

PREFIX = "/api/v1/streaming"
SSE_ROUTES = {
    "/user": "user", "/user/notification": "user:notification", "/public": "public", "/public/local": "public:local",
    "/public/remote": "public:remote", "/hashtag": "hashtag", "/hashtag/local": "hashtag:local",
}
HEARTBEAT_SECONDS = 15


def _query(scope) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


async def _answer(send, status: int, body: bytes, content_type: bytes = b"application/json") -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def _error(message: str) -> bytes:
    return orjson.dumps({"error": message})


async def _subscribe(stream: Stream, access: StreamAccess, name: str, tag: str) -> None:
    subscription = stream_subscription(name=name, tag=tag, actor_id=access.actor_id, scopes=access.scopes)
    hub.subscribe(stream, subscription.key, subscription.label)
    # before the stream answers: from then on, writers render the events of this key (bus.keys_listened)
    await asyncio.to_thread(bus().announce, [subscription.key])


async def _server_sent_events(scope, receive, send, name: str) -> None:
    query, headers = _query(scope), _headers(scope)
    try:
        access = await access_for(headers=headers, query=query)
        stream = Stream(hidden=access.hidden)
        await _subscribe(stream, access, name, query.get("tag", ""))
    except StreamError as error:
        await _answer(send, error.status, _error(str(error)))
        return
    try:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream"), (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),  # a proxy must pass each event on at once
        ]})
        await send({"type": "http.response.body", "body": b":)\n", "more_body": True})
        disconnected = asyncio.ensure_future(_until_disconnect(receive))
        while not disconnected.done():
            getter = asyncio.ensure_future(stream.queue.get())
            done, _ = await asyncio.wait({getter, disconnected}, timeout=HEARTBEAT_SECONDS,
                                         return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                if not disconnected.done():
                    await send({"type": "http.response.body", "body": b":thump\n", "more_body": True})
                continue
            message = getter.result()
            if message is None:
                break
            body = f"event: {message['event']}\ndata: {message['payload']}\n\n".encode()
            await send({"type": "http.response.body", "body": body, "more_body": True})
        disconnected.cancel()
    except OSError:
        pass  # the client went away while we wrote
    finally:
        hub.close(stream)


async def _until_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _websocket(scope, receive, send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    query, headers = _query(scope), _headers(scope)
    try:
        access = await access_for(headers=headers, query=query)
    except StreamError as error:
        # Mastodon refuses the upgrade; an ASGI server answers a close before accept with 403
        await send({"type": "websocket.close", "code": 4000 + error.status, "reason": str(error)})
        return
    accept = {"type": "websocket.accept"}
    if access.protocol:  # the token came as the subprotocol (browsers cannot set headers): name it back
        accept["subprotocol"] = access.protocol
    await send(accept)
    stream = Stream(hidden=access.hidden)

    async def say(data: dict) -> None:
        await send({"type": "websocket.send", "text": orjson.dumps(data).decode()})

    async def requests() -> None:
        if query.get("stream"):
            await handle({"type": "subscribe", "stream": query["stream"], "tag": query.get("tag", "")})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
            try:
                request = orjson.loads(text)
            except orjson.JSONDecodeError:
                await say({"error": "Invalid JSON", "status": 400})
                continue
            if isinstance(request, dict):
                await handle(request)

    async def handle(request: dict) -> None:
        kind, name, tag = request.get("type"), str(request.get("stream", "")), str(request.get("tag", "") or "")
        try:
            if kind == "subscribe":
                await _subscribe(stream, access, name, tag)
            elif kind == "unsubscribe":
                subscription = stream_subscription(name=name, tag=tag, actor_id=access.actor_id, scopes=access.scopes)
                hub.unsubscribe(stream, subscription.key)
            else:
                raise StreamError("Unknown request type", 400)
        except StreamError as error:
            await say({"error": str(error), "status": error.status})

    async def events() -> None:
        while (message := await stream.queue.get()) is not None:
            await say(message)

    tasks = [asyncio.ensure_future(requests()), asyncio.ensure_future(events())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    except OSError:
        pass
    finally:
        for task in tasks:
            task.cancel()
        hub.close(stream)
        try:
            await send({"type": "websocket.close", "code": 1000})
        except Exception:  # noqa: BLE001  closed by the client already: nothing left to tell it
            pass


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            hub.start()  # listening before the first client, so none misses an event sent as it connects
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send) -> None:
    kind, path = scope["type"], scope.get("path", "").rstrip("/")
    if kind == "lifespan":
        await _lifespan(receive, send)
    elif kind == "websocket":
        if path == PREFIX:
            await _websocket(scope, receive, send)
        else:
            await send({"type": "websocket.close", "code": 4404})
    elif kind == "http":
        if scope.get("method") not in ("GET", "HEAD"):
            await _answer(send, 405, _error("Method not allowed"))
        elif path == f"{PREFIX}/health":
            await _answer(send, 200, b"OK", b"text/plain")
        elif path.startswith(PREFIX) and path[len(PREFIX):] in SSE_ROUTES:
            await _server_sent_events(scope, receive, send, SSE_ROUTES[path[len(PREFIX):]])
        elif path == PREFIX and _query(scope).get("stream"):
            await _server_sent_events(scope, receive, send, _query(scope)["stream"])
        else:
            await _answer(send, 404, _error("Not found"))
