"""The fields of work and the legal pages exist whatever ran before: a transactional test's flush empties every
table, and post_migrate puts them back (under xdist's loadscope such a test may run before any other)."""

import pytest
from django.core.management import call_command

from community.models import FieldOfWork, SitePage
from community.models.profile import FIELD_NAMES


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_reference_rows():
    call_command("flush", interactive=False, verbosity=0)
    assert list(FieldOfWork.objects.values_list("slug", flat=True)) == list(FIELD_NAMES)
    assert SitePage.objects.count() == 3


@pytest.mark.django_db
def test_an_edited_legal_page_is_not_reset():
    page = SitePage.objects.get(slug="impressum")
    page.title = "Impressum des Vereins"
    page.save()
    call_command("migrate", verbosity=0)
    assert SitePage.objects.get(slug="impressum").title == "Impressum des Vereins"
