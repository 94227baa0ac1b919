"""Mastodon's OAuth scopes: the top-level ones and the granular ones they stand for."""

TOP_LEVEL = ("read", "write", "follow", "push", "profile")
GRANULAR = {
    "read": (
        "accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
        "notifications", "search", "statuses",
    ),
    "write": (
        "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists",
        "media", "mutes", "notifications", "reports", "statuses",
    ),
}
# The legacy `follow` scope covers the follow, block and mute relations (Mastodon's docs, "OAuth scopes").
FOLLOW_COVERS = {"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"}

ALL_SCOPES: dict[str, str] = {name: name for name in TOP_LEVEL} | {
    f"{top}:{sub}": f"{top}:{sub}" for top, subs in GRANULAR.items() for sub in subs
}


def scope_allows(granted: set[str] | frozenset[str], required: str) -> bool:
    """Whether the granted scopes cover a required one (`read` covers `read:statuses`)."""
    if required in granted:
        return True
    top = required.split(":", 1)[0]
    if top in granted and top != required:
        return True
    return "follow" in granted and required in FOLLOW_COVERS


def parse_scopes(text: str) -> list[str]:
    """Scopes as clients send them: space- or plus-separated (a `+` arrives unescaped from some)."""
    return [s for s in text.replace("+", " ").split() if s]


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in ALL_SCOPES]
