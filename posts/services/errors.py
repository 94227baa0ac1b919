"""Errors the post services raise for their callers to show."""


class PostError(ValueError):
    """A post that cannot be made as asked (the message says why, for the author)."""
