"""Errors the post services raise for their callers to show."""

from fediverse_node.errors import LocalizedError


class PostError(LocalizedError, ValueError):
    """A post that cannot be made as asked (the message says why, for the author: `str()` in English for the client
    API, `localized()` in the page's language for the website)."""
