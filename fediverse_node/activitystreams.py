"""ActivityStreams media types and content negotiation. Reading and writing the documents themselves is the typed
layer's work (`fediverse_node/protocol/vocab/`); its constants are named here too for the site's code."""

from fediverse_node.protocol.vocab.values import AS_CONTEXT, PUBLIC, PUBLIC_ALIASES, SECURITY_CONTEXT

__all__ = ["ACTIVITY_JSON", "AS_CONTEXT", "LD_JSON", "PUBLIC", "PUBLIC_ALIASES", "SECURITY_CONTEXT",
           "wants_activity_json"]

ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def wants_activity_json(accept: str) -> bool:
    """Content negotiation: does the Accept header ask for ActivityStreams JSON rather than HTML?"""
    accept = (accept or "").lower()
    return "application/activity+json" in accept or (
        "application/ld+json" in accept and "activitystreams" in accept
    ) or accept.strip() == "application/ld+json" or accept.strip() == "application/json"
