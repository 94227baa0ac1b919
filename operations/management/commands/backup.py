"""`fediverse-node backup PATH`: the database, the generated secret key and the media folder in one tar.gz."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup (tar.gz) of the database, the secret key and the media; safe while the node runs."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to create, e.g. node-2025-01-31.tar.gz")

    def handle(self, *args, path: Path, **options):
        try:
            manifest = backup_create(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup of {manifest['domain']} ({manifest['engine']}) written to {path}.")
        if manifest["secret_key_from_environment"]:
            self.stdout.write("SECRET_KEY comes from the environment: keep it yourself, it is not in the archive.")
