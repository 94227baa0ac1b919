"""`fediverse-node restore PATH [--force]`: bring a backup back into an empty data directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `fediverse-node backup` into this node's data directory (stop the node first)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by `fediverse-node backup`")
        parser.add_argument("--force", action="store_true", help="overwrite a data directory that is in use")

    def handle(self, *args, path: Path, force: bool, **options):
        try:
            manifest = backup_restore(path=path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['domain']} made {manifest['created']}.")
