"""`fediverse-node doctor [--url URL] [--offline]`: check a deployment and print what to fix."""

from django.core.management.base import BaseCommand

from operations.doctor import doctor_run


class Command(BaseCommand):
    help = "Check the deployment (database, broker and workers, address, keys, files, public endpoints); say what to fix."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="the address to fetch the public checks from "
                                                       "(default: FEDINODE_SCHEME://FEDINODE_DOMAIN)")
        parser.add_argument("--offline", action="store_true", help="skip the checks over HTTP")

    def handle(self, *args, url: str, offline: bool, **options):
        findings = doctor_run(url=url, public=not offline)
        for finding in findings:
            mark = "ok " if finding.ok else "FIX"
            self.stdout.write(f"{mark} {finding.check:<9} {finding.message}")
        problems = sum(not finding.ok for finding in findings)
        if problems:
            self.stdout.write(f"{problems} to fix.")
            raise SystemExit(1)
        self.stdout.write("Everything checked is in order.")
