"""Errors of the protocol core."""


class SignatureError(Exception):
    """A request's signature is missing, malformed or does not verify; the message says why, for peers."""
