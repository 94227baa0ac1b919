"""The node's VAPID key pair (RFC 8292): push services learn from it that a Web Push comes from this node.

Settings read it before Django is set up: from `FEDINODE_VAPID_PRIVATE_KEY` (PEM, or the raw key in base64url as
other servers export it), else from `vapid_private_key.pem` in the data directory, generated there on the first
start. Several machines of one node must share the key (give them the variable): a client's subscription names the
public key it was made for, and a push signed with another one is refused by the push service."""

import base64
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

FILE_NAME = "vapid_private_key.pem"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _pem_of_raw(text: str) -> bytes:
    """The PEM of a raw 32-byte private value in base64url (how `vapid --gen` and Mastodon's VAPID_PRIVATE_KEY
    hold it)."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    return _pem(key)


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _generated_into(path: Path) -> bytes:
    """A new P-256 key stored at path, unless another process of the node stored one first (then that one)."""
    pem = _pem(ec.generate_private_key(ec.SECP256R1()))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pem)
        os.link(temporary, path)  # atomic and refuses an existing file: the first process to get here wins
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return path.read_bytes()


def vapid_private_pem(*, environment_value: str, data_dir: Path) -> bytes:
    """The private key as PEM: from the environment value if set, else the data directory's (made when missing)."""
    value = environment_value.strip()
    if value:
        return value.encode() if value.startswith("-----BEGIN") else _pem_of_raw(value)
    path = data_dir / FILE_NAME
    return path.read_bytes() if path.exists() else _generated_into(path)


def vapid_public_key(private_pem: bytes) -> str:
    """The public key as clients use it (`applicationServerKey`): the uncompressed point in base64url."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the VAPID key must be a P-256 (prime256v1) key")
    return _b64url(key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint))
