"""Fixtures of the client API tests: member organisations and API clients holding their tokens."""

import itertools
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from actors.services.local import organization_create

_names = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


class Api:
    """A Django test client that sends a bearer token and decodes JSON answers."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, data=None, *, json: bool = False, headers=None, **extra):
        kwargs = {"headers": {**self.headers, **(headers or {})}, **extra}
        if json:
            kwargs["content_type"] = "application/json"
        elif data is not None and method in ("put", "patch", "delete"):
            if any(hasattr(v, "read") for v in data.values()):
                data = encode_multipart(BOUNDARY, data)  # the test client encodes multipart for POST only
                kwargs["content_type"] = MULTIPART_CONTENT
            else:
                data = urlencode(data, doseq=True)
                kwargs["content_type"] = "application/x-www-form-urlencoded"
        return getattr(self.client, method)(path, data, **kwargs) if data is not None else getattr(
            self.client, method)(path, **kwargs)

    def get(self, path, data=None, **kw):
        return self.call("get", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self.call("post", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.call("put", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.call("patch", path, data, **kw)

    def delete(self, path, data=None, **kw):
        return self.call("delete", path, data, **kw)


def make_org(username: str | None = None):
    username = username or f"org{next(_names)}"
    return organization_create(username=username, email=f"{username}@example.org", password=PASSWORD)


def issue_token(actor, *, scope: str = "read write follow push", expires_in: int = 3600) -> str:
    application = Application.objects.create(
        name="test app", client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    token = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=actor.user if actor else None, application=application, token=token, scope=scope,
        expires=timezone.now() + timedelta(seconds=expires_in),
    )
    return token


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def api(org) -> Api:
    return Api(issue_token(org))


@pytest.fixture
def anonymous(db) -> Api:
    return Api(None)
