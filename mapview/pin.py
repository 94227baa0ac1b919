"""Setting a member's pin by hand: click on the map (or type the coordinates), for an address the offline
geocoder does not know or a place the address does not show. The member itself or staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from community.selectors import profile_by_handle
from community.services.positions import profile_clear_manual_position, profile_set_position
from community.services.profiles import profile_may_edit


@login_required
def pin_edit(request, handle: str):
    member = profile_by_handle(handle)
    if member is None:
        raise Http404(_("Diese Organisation gibt es hier nicht."))
    if not profile_may_edit(user=request.user, profile=member):
        return render(request, "community/not_allowed.html", {"nav": "directory"}, status=403)
    error, typed = "", {"latitude": member.latitude or "", "longitude": member.longitude or ""}
    if request.method == "POST":
        if request.POST.get("clear"):
            profile_clear_manual_position(profile=member)
            messages.success(request, _("Die Stecknadel folgt wieder der Adresse."))
            return redirect("community:profile", handle)
        typed = {"latitude": request.POST.get("latitude", ""), "longitude": request.POST.get("longitude", "")}
        try:
            profile_set_position(profile=member, **typed)
        except ValueError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("Stecknadel gesetzt."))
            return redirect("community:profile", handle)
    return render(request, "mapview/pin.html", {
        "nav": "directory", "member": member, "handle": handle, "error": error, "typed": typed,
    }, status=400 if error else 200)
