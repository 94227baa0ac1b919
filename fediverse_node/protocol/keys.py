"""Key pairs: generating RSA-2048 keys (HTTP signatures) and Ed25519 keys (Object Integrity Proofs), and parsing
PEMs once per process."""

import threading
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


def generate_rsa_keypair() -> tuple[str, str]:
    """A fresh RSA-2048 pair as (private PEM in PKCS#8, public PEM in SubjectPublicKeyInfo)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem


def generate_ed25519_key() -> str:
    """A fresh Ed25519 private key as a PEM in PKCS#8 (its public half is derived when needed)."""
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


_private_parse = threading.Lock()


def load_private_key(pem: str):
    """The private key object of a PEM, parsed once per process: the threads of a worker that start a fan-out
    together wait for one parse instead of each doing its own."""
    with _private_parse:
        return _private_key_parsed(pem)


@lru_cache(maxsize=4096)
def _private_key_parsed(pem: str):
    try:
        # Our own keys, made by generate_rsa_keypair and read from our database: OpenSSL's consistency check of an
        # RSA key (about 30 ms) guards against a tampered key file, which this is not.
        return serialization.load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a usable private key: {error}") from None


@lru_cache(maxsize=65536)
def load_public_key(pem: str):
    """The public key object of a PEM (SPKI, or PKCS#1 'RSA PUBLIC KEY' that some peers send)."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a usable public key: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise ValueError("only RSA and Ed25519 public keys are supported")
    return key
