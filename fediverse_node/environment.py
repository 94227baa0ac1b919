"""Reading the node's settings from environment variables: a value that is not right stops the node with a message
that names the variable and what it takes (fediverse-node prints it as "the settings are not right: …")."""

import os
import re

from django.core.exceptions import ImproperlyConfigured


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number from the environment, `default` when unset or empty, within [minimum, maximum]: a keep period
    of -1 days or a lease of 0 seconds would quietly delete or hand over work at once."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    value = int(text) if re.fullmatch(r"-?[0-9]{1,18}", text) else None  # ASCII digits: int() takes "٣" too
    if value is None or value < minimum or (maximum is not None and value > maximum):
        within = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise ImproperlyConfigured(f"{name} must be a whole number {within}, not {text!r}")
    return value
