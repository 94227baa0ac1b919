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


def test_the_routes_apps_call_most_are_found_in_a_few_tries_and_sections_keep_their_paths_apart():
    # before the API's sections: the home timeline came after some 60 routes tried one by one
    for path in ("/api/v1/timelines/home", "/api/v1/notifications", "/api/v1/markers", "/api/v1/statuses/5"):
        assert len(resolve(path).tried) <= 8, path
    unknown = resolve("/api/v1/keine-route").func
    # a section matches whole segments only, and a path it does not hold ends at the API's own 404
    for path in ("/api/v1/statusesX", "/api/v1/statuses//5", "/api/v1/timelines/home/x", "/api/v1/accountsfoo/lookup"):
        assert resolve(path).func is unknown, path
    # a section's own root, with and without the trailing slash
    assert resolve("/api/v1/statuses").func is resolve("/api/v1/statuses/").func is not unknown
    assert resolve("/api/v1/statuses/5/").kwargs == {"id": "5"}
