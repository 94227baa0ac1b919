"""JSON responses for the ActivityPub endpoints: orjson bytes, and errors a person can read."""

import orjson
from django.http import HttpResponse

from .activitystreams import ACTIVITY_JSON


def json_response(data, *, status: int = 200, content_type: str = "application/json", headers=None) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type=content_type, headers=headers)


def activity_response(data, *, status: int = 200) -> HttpResponse:
    response = json_response(data, status=status, content_type=ACTIVITY_JSON)
    response["Vary"] = "Accept"
    return response


def json_error(message: str, *, status: int) -> HttpResponse:
    return json_response({"error": message}, status=status)
