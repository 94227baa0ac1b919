"""Errors of the protocol core."""


class WordedError(Exception):
    """An error worded for people: an English message with named %-parameters (`message`, `params`), `str(error)`
    the sentence filled in. The core translates nothing; `fediverse_node.errors.localized` says it, and an error
    given as one of its parameters, in a web page's language."""

    def __init__(self, message: str, /, **params: object):
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


class SignatureError(Exception):
    """A request's signature is missing, malformed or does not verify; the message says why, for peers."""
