"""The reference rows the site needs from its first start: the fields of work and the legal pages. The migrations
create them; `reference_rows_ensure` puts them back into an empty table after `migrate` (post_migrate), which is
also what a test database gets after a transactional test's flush."""

from django.db import connections, router

from ..models import FieldOfWork, SitePage
from ..models.profile import FIELD_NAMES
from ..site_page_defaults import DEFAULT_PAGES


def reference_rows_ensure(*, using: str = "default", **_signal) -> None:
    """Fields of work and legal pages, each only where its table is empty (staff's edits and deletions stay).
    A table not made yet is left to its migration: `migrate <another app>` on a new database sends this too."""
    tables = set(connections[using].introspection.table_names())

    def wanted(model) -> bool:
        return router.allow_migrate_model(using, model) and model._meta.db_table in tables

    if wanted(FieldOfWork) and not FieldOfWork.objects.using(using).exists():
        FieldOfWork.objects.using(using).bulk_create([FieldOfWork(slug=slug) for slug in FIELD_NAMES])
    if wanted(SitePage) and not SitePage.objects.using(using).exists():
        SitePage.objects.using(using).bulk_create(
            [SitePage(slug=slug, title=title, body=body) for slug, (title, body) in DEFAULT_PAGES.items()]
        )
