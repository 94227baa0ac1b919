"""A member organisation edits its profile (staff may edit any); its links are then checked for rel="me"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..forms import ProfileForm, ProfileImagesForm
from ..selectors import profile_by_handle
from ..services.profiles import profile_images_set, profile_may_edit, profile_save
from ..tasks import verify_links


@login_required
def profile_edit(request, handle: str):
    member = profile_by_handle(handle)
    if member is None:
        raise Http404(_("Diese Organisation gibt es hier nicht."))
    if not profile_may_edit(user=request.user, profile=member):
        return render(request, "community/not_allowed.html", {"nav": "directory"}, status=403)
    old_links = [link["url"] for link in member.links]
    form = ProfileForm(request.POST or None, instance=member)
    # logo and header image: only an organisation of this node has them here (a linked one sets them at home)
    images = ProfileImagesForm(request.POST or None, request.FILES or None) if member.actor.local else None
    valid = all([form.is_valid(), images is None or images.is_valid()])  # both checked: every error shows at once
    untouched = not form.has_changed() and (images is None or not images.has_changed())
    if request.method == "POST" and valid and untouched:
        messages.success(request, _("Keine Änderungen: das Profil bleibt, wie es war."))
        return redirect("community:profile", handle)
    if request.method == "POST" and valid:
        profile = form.save(commit=False)
        urls = form.cleaned_data["link_list"]
        if urls != old_links:
            profile.links = [{"url": url, "verified": False} for url in urls]
        with transaction.atomic():
            profile_save(profile=profile, fields_of_work=form.cleaned_data["fields_of_work"])
            if images is not None:
                profile_images_set(profile=profile, **images.cleaned_data)
        if urls and urls != old_links:
            transaction.on_commit(lambda: verify_links.delay(profile.pk))
        messages.success(request, _("Profil gespeichert."))
        if (profile.postal_code or profile.city) and not profile.has_position:
            messages.warning(request, format_html(
                '{} <a href="{}">{}</a>', _("Wir finden diese Adresse nicht auf der Karte."),
                reverse("mapview:pin", args=[handle]), _("Bitte setzen Sie Ihre Stecknadel von Hand."),
            ))
        return redirect("community:profile", handle)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/profile_edit.html", {
        "nav": "directory", "form": form, "images_form": images, "member": member, "handle": handle,
    }, status=status)
