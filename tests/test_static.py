"""Static files: `run` collects them with hashed names and gzipped copies once per change, and browsers may keep
them for a year; before they are collected (in-process tests) the plain names still work."""

import re

from django.templatetags.static import static
from django.test import Client, override_settings

from fediverse_node.staticstorage import static_collect


def test_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    assert re.fullmatch(r"/static/community/site\.css", static("community/site.css"))  # not collected yet
    with override_settings(STATIC_ROOT=tmp_path):
        assert static_collect() is True
        assert static_collect() is False  # nothing changed: the next start skips the work
        url = static("community/site.css")
        assert re.fullmatch(r"/static/community/site\.[0-9a-f]{12}\.css", url)
        assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.gz").exists()
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
