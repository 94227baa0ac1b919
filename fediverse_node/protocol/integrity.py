"""Object Integrity Proofs (FEP-8b32): signing and verifying a DataIntegrityProof of cryptosuite eddsa-jcs-2022
(W3C vc-di-eddsa §3.3) on an ActivityStreams document, with an Ed25519 key published as a Multikey (FEP-521a)."""

import hashlib
from collections.abc import Callable

import jcs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CRYPTOSUITE = "eddsa-jcs-2022"
ED25519_MULTICODEC = b"\xed\x01"  # the multicodec prefix of an Ed25519 public key
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
MAX_MULTIBASE = 200  # an Ed25519 key or signature is about 90 characters in base58
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v1"  # defines proof and DataIntegrityProof


class ProofError(Exception):
    """The document carries no proof we can check, or its proof does not verify (the message says why)."""


def _base58btc(text: str) -> bytes:
    if len(text) > MAX_MULTIBASE:
        raise ProofError("A multibase value is too long.")
    number = 0
    for char in text:
        position = BASE58_ALPHABET.find(char)
        if position < 0:
            raise ProofError("A multibase value is not base58btc.")
        number = number * 58 + position
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * leading_zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _base58btc_encode(raw: bytes) -> str:
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58_ALPHABET[digit] + text
    return "1" * (len(raw) - len(raw.lstrip(b"\x00"))) + text


def multibase_encode(raw: bytes) -> str:
    """Bytes as a multibase string in base58btc ('z')."""
    return "z" + _base58btc_encode(raw)


def multikey_of(public_key: Ed25519PublicKey) -> str:
    """The publicKeyMultibase of an Ed25519 public key (FEP-521a: the multicodec prefix, then the 32 bytes)."""
    return multibase_encode(ED25519_MULTICODEC + public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def multibase_decode(value: object) -> bytes:
    """The bytes of a multibase string in base58btc (the 'z' prefix, the only base FEP-8b32 uses)."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("Only base58btc ('z') multibase values are understood.")
    return _base58btc(value[1:])


def ed25519_key_from_multikey(value: object) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey's publicKeyMultibase."""
    raw = multibase_decode(value)
    if not raw.startswith(ED25519_MULTICODEC) or len(raw) != 34:
        raise ProofError("The Multikey is not an Ed25519 public key.")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def proof_of(document: dict) -> dict:
    """The document's eddsa-jcs-2022 proof for assertionMethod (the first, when there are several)."""
    proofs = document.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if (
            isinstance(proof, dict) and proof.get("type") == "DataIntegrityProof"
            and proof.get("cryptosuite") == CRYPTOSUITE and proof.get("proofPurpose") == "assertionMethod"
            and isinstance(proof.get("verificationMethod"), str)
        ):
            return proof
    raise ProofError(f"The document has no {CRYPTOSUITE} proof.")


def _hash_data(proof: dict, unsecured: dict) -> bytes:
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    try:
        return hashlib.sha256(jcs.canonicalize(options)).digest() + hashlib.sha256(jcs.canonicalize(unsecured)).digest()
    except (TypeError, ValueError) as error:  # e.g. a number JCS cannot represent
        raise ProofError(f"The document cannot be canonicalised: {error}") from None


def proof_sign(document: dict, *, private_key: Ed25519PrivateKey, verification_method: str, created: str) -> dict:
    """The document with an eddsa-jcs-2022 proof for assertionMethod by the key verification_method names, made at
    `created` (an XML Schema dateTime in UTC to the second, "2026-12-04T23:00:00Z": JSON-LD readers such as Fedify
    write it back that way to check the proof). The data-integrity context is added to the document's @context
    first, so that JSON-LD readers see the proof; the proof covers the document as it then is."""
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context] if context is not None else []
    if DATA_INTEGRITY_CONTEXT not in contexts:
        document = {**document, "@context": [*contexts, DATA_INTEGRITY_CONTEXT]}
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "verificationMethod": verification_method,
             "proofPurpose": "assertionMethod", "created": created}
    proof["proofValue"] = multibase_encode(private_key.sign(_hash_data(proof, unsecured)))
    return {**unsecured, "proof": proof}


def proof_verify(document: dict, *, key_for: Callable[[str], Ed25519PublicKey]) -> str:
    """Verify the document's proof with the key key_for returns for its verificationMethod (key_for raises
    ProofError for a key it does not vouch for); the verificationMethod, or ProofError."""
    proof = proof_of(document)
    signature = multibase_decode(proof.get("proofValue"))
    public_key = key_for(proof["verificationMethod"])
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    candidates = [unsecured]
    if "signature" in unsecured:
        # Fedify adds a Linked Data Signature after the proof: the proof covers the document without it.
        candidates.append({key: value for key, value in unsecured.items() if key != "signature"})
    for candidate in candidates:
        try:
            public_key.verify(signature, _hash_data(proof, candidate))
            return proof["verificationMethod"]
        except InvalidSignature:
            continue
    raise ProofError("The proof does not verify.")
