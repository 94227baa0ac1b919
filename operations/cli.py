"""The `fediverse-node` command line: Django management behind one entry point, made for operators.

Its own commands are listed first; a fresh database is migrated before a command that needs it, one that is behind is
named in one line with its fix; a failure is one clear line, not a traceback
(`--traceback` shows it).
"""

import os
import re
import sys

from django.core.management import ManagementUtility, get_commands, load_command_class

# The node's own commands, in the order an operator meets them (the help lists them first, in this order).
NODE_COMMANDS = [
    "run", "doctor", "createorg", "post", "follow", "creategroup", "createscout", "createsuperuser",
    "feed", "blockdomains", "suspend", "backup", "restore", "migrate",
]
# Commands that must see the database as it is: no migration first.
AS_IT_IS = {
    "run", "migrate", "doctor", "backup", "restore", "help", "version", "showmigrations", "sqlmigrate",
    "makemigrations", "squashmigrations", "check", "dbshell", "diffsettings", "compilemessages", "makemessages",
    "collectstatic", "findstatic", "sendtestemail", "startapp", "startproject", "test", "testserver",
}


def main() -> None:
    """Run a management command, e.g. `fediverse-node run` or `fediverse-node createorg`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
    argv = ["fediverse-node", *sys.argv[1:]]
    show_traceback = "--traceback" in argv
    try:
        _run(argv)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        if show_traceback:
            raise
        sys.stderr.write(f"fediverse-node: {failure_line(error)}\n(run again with --traceback for the details)\n")
        sys.exit(1)


def _run(argv: list[str]) -> None:
    import django

    django.setup()
    command = argv[1] if len(argv) > 1 else "help"
    if command not in AS_IT_IS and not command.startswith("-"):
        database_prepare()
    NodeUtility(argv).execute()


def database_prepare() -> None:
    """A fresh database (no tables yet: a new data directory, an empty PostgreSQL database) is migrated first, as
    `run` would. One that is only behind is left alone: a database error then names `fediverse-node migrate`."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if all("django_migrations" in connections[alias].introspection.table_names() for alias in settings.DATABASES):
        return
    sys.stderr.write("fediverse-node: a new database; creating its tables first (fediverse-node migrate)\n")
    for alias in settings.DATABASES:
        call_command("migrate", database=alias, interactive=False, verbosity=0)


def failure_line(error: BaseException) -> str:
    """One line saying what went wrong and what to do."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, InterfaceError
    from django.db import OperationalError as DatabaseOperationalError

    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if isinstance(error, ImproperlyConfigured):
        return f"the settings are not right: {first}"
    if isinstance(error, (DatabaseOperationalError, InterfaceError)) and _database_unreachable(first):
        return f"cannot reach the database (DATABASE_URL): {first}"
    if isinstance(error, DatabaseError):
        pending = _pending_migrations()
        if pending:
            return (f"the database is not migrated to this version ({pending} migrations to apply): "
                    "run `fediverse-node migrate` first")
        return f"database error: {first}"
    if type(error).__module__.startswith(("kombu", "amqp", "redis")):
        return f"cannot reach the broker (CELERY_BROKER_URL): {first}"
    return f"{type(error).__name__}: {first}"


def _database_unreachable(message: str) -> bool:
    words = ("connection", "connect", "could not translate host", "unable to open database", "timeout")
    return any(word in message.lower() for word in words)


def _pending_migrations() -> int:
    """How many migrations the default database lacks (0 when that cannot be read either)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections["default"])
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception:
        return 0


def _first_sentence(text: str, width: int = 96) -> str:
    """A command's help up to its first full stop, cut to one line."""
    sentence = re.split(r"(?<!e\.g)\. ", " ".join(text.split()))[0].rstrip(".") + "."
    return sentence if len(sentence) <= width else sentence[: width - 1] + "…"


def _node_help(prog: str) -> str:
    commands = get_commands()
    lines = [f"Usage: {prog} COMMAND [options]   ({prog} help COMMAND for a command's options)", "",
             "The node's commands:"]
    for name in NODE_COMMANDS:
        if name in commands:
            lines.append(f"  {name:<16}{_first_sentence(load_command_class(commands[name], name).help)}")
    others = sorted(name for name in commands if name not in NODE_COMMANDS)
    lines += ["", "Django's management commands (for the curious):"]
    lines += [f"  {'  '.join(others[i:i + 6])}" for i in range(0, len(others), 6)]
    return "\n".join(lines)


class NodeUtility(ManagementUtility):
    """Django's command dispatcher with the node's own help."""

    def main_help_text(self, commands_only=False):
        if commands_only:
            return super().main_help_text(commands_only=True)
        return _node_help(self.prog_name)


if __name__ == "__main__":
    main()
