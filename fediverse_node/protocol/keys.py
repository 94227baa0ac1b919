"""Key pairs: generating RSA-2048 keys (HTTP signatures) and Ed25519 keys (Object Integrity Proofs), and parsing
PEMs once per process (an RSA parse costs ~30 ms)."""

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


@lru_cache(maxsize=4096)
def load_private_key(pem: str):
    """The private key object of a PEM, parsed once per process."""
    try:
        return serialization.load_pem_private_key(pem.encode(), password=None)
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
