"""The URL map: a page of the website passes the client API's routes by their one prefix (fediverse_node/urls.py)."""

import pytest
from django.urls import Resolver404, resolve


def _tried(path: str) -> list[str]:
    with pytest.raises(Resolver404) as error:
        resolve(path)
    return ["".join(str(pattern.pattern) for pattern in entry) for entry in error.value.args[0]["tried"]]


def test_a_path_of_the_website_tries_no_route_of_the_api_one_by_one():
    tried = _tried("/keine-seite/")
    assert "api/" in tried
    assert not [route for route in tried if "v1/" in route or "v2/" in route]


def test_api_routes_are_found_below_the_prefix_and_an_unknown_one_is_the_apis_own_404():
    unknown = resolve("/api/v1/keine-route").func
    assert unknown.__name__ == "unknown_api_route"
    for path in ("/api/v1/timelines/home", "/api/v1/accounts/verify_credentials/", "/api/v2/instance"):
        assert resolve(path).func is not unknown
