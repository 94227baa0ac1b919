"""Body digests: `Digest` (RFC 3230, used with draft-cavage) and `Content-Digest` (RFC 9530, used with RFC 9421)."""

import base64
import hashlib
from collections.abc import Mapping

from .errors import SignatureError

HASHES = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def digest_header(body: bytes) -> str:
    return f"SHA-256={_b64(hashlib.sha256(body).digest())}"


def content_digest_header(body: bytes) -> str:
    return f"sha-256=:{_b64(hashlib.sha256(body).digest())}:"


def _check(algorithm: str, value: str, body: bytes) -> bool | None:
    """True/False if we know the algorithm, None if we do not."""
    hasher = HASHES.get(algorithm.strip().lower())
    if hasher is None:
        return None
    try:
        expected = base64.b64decode(value.strip().strip(":"), validate=True)
    except ValueError:
        return False
    return hasher(body).digest() == expected


def _entries(header: str, separator: str) -> list[tuple[str, str]]:
    entries = []
    for part in header.split(","):
        algorithm, sep, value = part.strip().partition(separator)
        if sep:
            entries.append((algorithm, value))
    return entries


def check_body_digests(headers: Mapping[str, str], body: bytes) -> None:
    """Every Digest / Content-Digest the request carries must match its body, with at least one known algorithm."""
    for name, separator in (("Digest", "="), ("Content-Digest", "=")):
        header = headers.get(name)
        if header is None:
            continue
        results = [_check(algorithm, value, body) for algorithm, value in _entries(header, separator)]
        known = [r for r in results if r is not None]
        if not known:
            raise SignatureError(f"{name} names no supported algorithm (sha-256 or sha-512)")
        if not all(known):
            raise SignatureError(f"{name} does not match the body")
