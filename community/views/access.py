"""Who may open the staff pages: visitors are asked to sign in, signed-in members without staff rights get a
friendly "not allowed" page in the site's design (not the Django admin's log-in)."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _


def staff_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            return render(request, "community/not_allowed.html", {
                "message": _("Diese Seite ist dem Team der Geschäftsstelle vorbehalten."),
            }, status=403)
        return view(request, *args, **kwargs)

    return wrapper
