"""Static files with their content's hash in the name, gzipped ahead of time, so whitenoise can let browsers keep them
for a year (`Cache-Control: max-age=315360000, immutable`). `fediverse-node run` collects them at start
(static_collect); before that (in-process tests, a fresh checkout) the plain names are served from the apps'
folders."""

import os

from django.conf import settings
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    keep_intermediate_files = False
    # Only CSS references are rewritten: Leaflet's packaged scripts name source maps the packages do not ship.
    patterns = tuple(pattern for pattern in CompressedManifestStaticFilesStorage.patterns if pattern[0] != "*.js")

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: whitenoise finds the file by its plain name (WHITENOISE_USE_FINDERS)
            return name


def static_collect(*, force: bool = False) -> bool:
    """Collect, hash and compress the static files unless the manifest is newer than every source file."""
    from django.contrib.staticfiles.finders import get_finders

    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not force and manifest.exists():
        newest = max(
            (os.stat(storage.path(path)).st_mtime for finder in get_finders() for path, storage in finder.list(None)),
            default=0.0,
        )
        if newest <= manifest.stat().st_mtime:
            return False
    call_command("collectstatic", interactive=False, verbosity=0)
    return True
