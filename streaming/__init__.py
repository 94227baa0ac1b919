"""The streaming API (Mastodon's WebSocket and server-sent events): the post and notification services announce,
`publishing` renders entities and puts events on the `bus`, and the ASGI app (`asgi`) hands them to the open
streams that may see them."""
