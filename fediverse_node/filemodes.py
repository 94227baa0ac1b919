"""The data directory holds the SQLite databases (private keys, password hashes, OAuth tokens), the secret key and
the broker's messages: only the node's own user may read any of it. Standard library only: settings use it before
Django is set up."""

import os
import warnings
from pathlib import Path

PRIVATE_UMASK = 0o077  # what this process creates from now on: files 0600, directories 0700


def data_dir_secure(path: Path) -> None:
    """Make the node's files private from its first start: the process's umask, the data directory 0700 (nothing in
    it is reachable by another user then) and, for a directory an older version left readable, each file directly in
    it 0600 (backups and copies of it keep that mode)."""
    os.umask(PRIVATE_UMASK)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
        for entry in path.iterdir():
            mode = entry.lstat().st_mode
            if entry.is_file() and not entry.is_symlink() and mode & 0o077:
                entry.chmod(0o600)
    except PermissionError as error:  # e.g. a volume owned by another user: run, but say so
        warnings.warn(f"Could not make the data directory {path} private: {error}", stacklevel=2)


def private_file_open(path: Path, mode: str = "wb"):
    """A new file only its owner can read, 0600 from its first byte (whatever the umask); refuses an existing one."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), mode)
