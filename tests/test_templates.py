"""Every template of the project compiles: a filter or tag used without its `{% load %}` fails here, not as a 500
on the one page that uses it."""

from pathlib import Path

import pytest
from django.template import engines

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ["actors", "clientapi", "community", "fediverse_node", "inbox", "mapview", "outbox", "posts"]
TEMPLATES = sorted(
    str(path.relative_to(ROOT / room / "templates"))
    for room in ROOMS
    for path in (ROOT / room).glob("templates/**/*.html")
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_template_compiles(name):
    engines["django"].get_template(name)
