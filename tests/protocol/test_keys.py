"""Parsing our private keys: once per process, even when a fan-out's threads all ask at the same moment."""

import threading
import time
import uuid

from fediverse_node.protocol import keys


def fresh_private_pem() -> str:
    """A PEM no test has parsed yet: the suite hands out keys from a pool (tests/conftest.py), so one of them gets a
    line of its own before its armour (PEM readers skip text outside it)."""
    private_pem, _ = keys.generate_rsa_keypair()
    return f"key {uuid.uuid4()}\n{private_pem}"


def test_threads_asking_at_once_wait_for_one_parse(monkeypatch):
    pem = fresh_private_pem()
    parse = keys.serialization.load_pem_private_key
    parses = []

    def slow_parse(*args, **kwargs):
        parses.append(1)
        time.sleep(0.05)  # every thread arrives while the first parse is under way
        return parse(*args, **kwargs)

    monkeypatch.setattr(keys.serialization, "load_pem_private_key", slow_parse)
    found = []
    threads = [threading.Thread(target=lambda: found.append(keys.load_private_key(pem))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(parses) == 1
    assert len({id(key) for key in found}) == 1


def test_a_parsed_key_signs_what_its_public_half_verifies():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    private_pem, public_pem = keys.generate_rsa_keypair()
    signature = keys.load_private_key(private_pem).sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    keys.load_public_key(public_pem).verify(signature, b"x", padding.PKCS1v15(), hashes.SHA256())
