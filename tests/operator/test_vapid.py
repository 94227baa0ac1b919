"""The node's VAPID key: from the environment (PEM or raw base64url), else generated once into the data directory
and kept there, readable by the node's user only."""

import base64
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fediverse_node.vapid import FILE_NAME, vapid_private_pem, vapid_public_key

pytestmark = pytest.mark.backend_independent


def test_generated_once_into_the_data_directory(tmp_path):
    first = vapid_private_pem(environment_value="", data_dir=tmp_path)
    assert (tmp_path / FILE_NAME).read_bytes() == first
    assert (tmp_path / FILE_NAME).stat().st_mode & 0o077 == 0
    assert vapid_private_pem(environment_value="", data_dir=tmp_path) == first
    assert len(base64.urlsafe_b64decode(vapid_public_key(first) + "=")) == 65


def test_processes_starting_together_agree_on_one_key(tmp_path):
    keys: list[bytes] = []
    threads = [threading.Thread(target=lambda: keys.append(vapid_private_pem(environment_value="", data_dir=tmp_path)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and [p.name for p in tmp_path.iterdir()] == [FILE_NAME]


def test_environment_key_as_pem_or_raw_base64url(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    raw = base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big")).rstrip(b"=").decode()
    public = vapid_public_key(pem)
    assert vapid_public_key(vapid_private_pem(environment_value=pem.decode(), data_dir=tmp_path)) == public
    assert vapid_public_key(vapid_private_pem(environment_value=raw, data_dir=tmp_path)) == public
    assert not (tmp_path / FILE_NAME).exists()


def test_a_key_on_another_curve_is_refused():
    pem = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(ValueError, match="P-256"):
        vapid_public_key(pem)
