"""What every answer of the client API shares: JSON everywhere, trailing slashes, CORS, instance info."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/instance", "/api/v1/instance/", "/api/v2/instance", "/api/v2/instance/"])
def test_instance_with_and_without_trailing_slash(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"].startswith("4.2.0 (compatible; fediverse-node ")
    assert "api_versions" not in data
    # the streaming API is advertised where Mastodon puts it (v1 `urls.streaming_api`, v2 `configuration.urls`)
    advertised = data["urls"]["streaming_api"] if path.startswith("/api/v1") else data["configuration"]["urls"]["streaming"]
    assert advertised == "ws://testserver"


def test_instance_v2_sub_objects_are_whole(anonymous):
    data = anonymous.get("/api/v2/instance").json()
    config = data["configuration"]
    assert config["urls"] == {"streaming": "ws://testserver", "status": None}
    assert config["statuses"]["max_characters"] == 5000
    assert set(config["media_attachments"]) >= {"supported_mime_types", "image_size_limit", "image_matrix_limit"}
    assert set(data["registrations"]) == {"enabled", "approval_required", "message", "url"}
    assert set(data["contact"]) == {"email", "account"}


def test_unknown_routes_and_methods_answer_json(anonymous):
    missing = anonymous.get("/api/v1/nonexistent")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    wrong = anonymous.call("delete", "/api/v1/instance")
    assert wrong.status_code == 405 and wrong["Content-Type"] == "application/json"


def test_cors_preflight_and_exposed_link_header(anonymous):
    response = anonymous.client.options("/api/v1/timelines/public", HTTP_ORIGIN="https://elk.zone")
    assert response.status_code == 200 and response.json() == {}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response["Access-Control-Expose-Headers"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/lists", "/api/v1/filters", "/api/v2/filters", "/api/v1/announcements", "/api/v1/conversations",
     "/api/v1/custom_emojis", "/api/v1/trends/tags", "/api/v1/scheduled_statuses", "/api/v1/followed_tags"],
)
def test_empty_list_stubs(api, path):
    response = api.get(path)
    assert response.status_code == 200 and response.json() == []


def test_push_subscription_is_record_not_found(api):
    response = api.get("/api/v1/push/subscription")
    assert response.status_code == 404 and response.json() == {"error": "Record not found"}


def test_preferences(api):
    assert api.get("/api/v1/preferences").json()["posting:default:visibility"] == "public"


def test_streaming_urls_are_wss_on_a_tls_node(anonymous, settings):
    settings.FEDINODE_SCHEME, settings.FEDINODE_DOMAIN = "https", "node.example"
    assert anonymous.get("/api/v1/instance").json()["urls"]["streaming_api"] == "wss://node.example"
    assert anonymous.get("/api/v2/instance").json()["configuration"]["urls"]["streaming"] == "wss://node.example"
