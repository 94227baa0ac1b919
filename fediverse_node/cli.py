"""The `fediverse-node` command line: Django management behind one entry point."""

import os
import sys


def main() -> None:
    """Run a management command, e.g. `fediverse-node run` or `fediverse-node createorg`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fediverse-node", *sys.argv[1:]])


if __name__ == "__main__":
    main()
