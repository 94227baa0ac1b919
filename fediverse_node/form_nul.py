"""Forms with a NUL character in a value (%00) are refused before any view: no text of ours holds one, and
PostgreSQL refuses one in a query or a row. Django's form fields refuse it at their field already; this covers the
views that read a value themselves (a reply on the interaction page, the OAuth consent form, django-oauth-toolkit's
token endpoint), which on PostgreSQL answered 500. The client API checks its own bodies (clientapi/http.py), in its
JSON shape; the fronts refuse a NUL in the address (fediverse_node/wsgi.py)."""

from django.shortcuts import render

from .errors import json_error_answer, json_wanted

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
CONSENT_PAGE = "/oauth/authorize"  # a person's page under /oauth/, whose other addresses apps call
MESSAGE = "The form contains a NUL character (%00)."


class FormNulRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in FORMS and not request.path.startswith("/api/"):
            # parsed here as the view (or the CSRF check) would parse it, with Django's limits
            if any("\x00" in name or any("\x00" in value for value in values) for name, values in request.POST.lists()):
                if json_wanted(request) and not request.path.startswith(CONSENT_PAGE):
                    return json_error_answer(400, MESSAGE)
                return render(request, "community/form_refused.html", status=400)
        return self.get_response(request)
