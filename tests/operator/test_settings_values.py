"""A setting from the environment that is not right stops the node with one line naming it and what it takes, not a
traceback, and never runs with it: a keep period of -1 days would delete the inbox's replay guard at once."""

import os
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured

from fediverse_node.environment import env_int
from tests.nodes import BIN


@pytest.mark.parametrize(("text", "expected"), [(None, 14), ("", 14), (" 7 ", 7), ("1", 1), ("65535", 65535)])
def test_a_whole_number_within_its_range_is_taken(monkeypatch, text, expected):
    if text is None:
        monkeypatch.delenv("FEDINODE_X", raising=False)
    else:
        monkeypatch.setenv("FEDINODE_X", text)
    assert env_int("FEDINODE_X", 14, minimum=1, maximum=65535) == expected


@pytest.mark.parametrize("text", ["abc", "-1", "0", "1.5", "1e3", "65536", "99999999999999999999999", "٣"])
def test_anything_else_names_the_variable_and_what_it_takes(monkeypatch, text):
    monkeypatch.setenv("FEDINODE_X", text)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("FEDINODE_X", 14, minimum=1, maximum=65535)
    assert str(refused.value) == f"FEDINODE_X must be a whole number from 1 to 65535, not {text!r}"


@pytest.mark.parametrize(("name", "value", "takes"), [
    ("FEDINODE_INBOX_KEEP_DAYS", "-1", "of at least 1"),
    ("FEDINODE_DELIVERY_LEASE_SECONDS", "zehn", "of at least 1"),
    ("EMAIL_PORT", "70000", "from 1 to 65535"),
])
def test_the_command_line_says_which_setting_is_wrong(tmp_path, name, value, takes):
    env = {**os.environ, "FEDINODE_DATA_DIR": str(tmp_path), name: value}
    for inherited in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE"):  # the node's own settings, on its default database
        env.pop(inherited, None)
    result = subprocess.run([str(BIN / "fediverse-node"), "doctor"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert f"the settings are not right: {name} must be a whole number {takes}, not {value!r}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
