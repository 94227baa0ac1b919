"""Applying for membership, and the staff's moderation page (applications, hidden posts)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from posts.models import Post

from ..forms import ApplicationForm, RejectForm
from ..models import ApplicationState, MembershipApplication
from ..services.membership import MembershipError, application_approve, application_reject, application_submit
from .access import staff_required


def apply(request):
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "fields_of_work"}
        application_submit(data=data, fields_of_work=form.cleaned_data["fields_of_work"])
        return render(request, "community/applied.html", {"nav": "apply", "name": data["organisation_name"]})
    status = 400 if request.method == "POST" else 200
    return render(request, "community/apply.html", {"nav": "apply", "form": form}, status=status)


@staff_required
def moderation(request):
    pending = MembershipApplication.objects.filter(status=ApplicationState.PENDING).prefetch_related("fields_of_work")
    hidden = Post.objects.filter(hidden_from_feed=True).select_related("author").order_by("-published")[:50]
    return render(request, "community/moderation.html", {
        "nav": "moderation", "pending": pending, "hidden": hidden, "reject_form": RejectForm(),
    })


@staff_required
@require_POST
def application_decide(request, application_id: int):
    application = get_object_or_404(MembershipApplication, id=application_id)
    try:
        if request.POST.get("decision") == "approve":
            actor = application_approve(application=application, staff_user=request.user)
            messages.success(request, _("%(name)s ist jetzt Mitglied (%(handle)s).") % {
                "name": application.organisation_name, "handle": actor.handle})
        else:
            form = RejectForm(request.POST)
            if not form.is_valid():  # too long: not rejected without the reason staff meant to send
                messages.error(request, " ".join(map(str, form.errors.get("reason") or [])))
                return redirect("community:moderation")
            application_reject(application=application, staff_user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Der Antrag von %(name)s wurde abgelehnt.") % {
                "name": application.organisation_name})
    except MembershipError as error:
        messages.error(request, str(error))
    return redirect("community:moderation")


@staff_required
@require_POST
def post_visibility(request, post_id: int):
    """Hide a post from the community feed (or show it again) without deleting it."""
    post = get_object_or_404(Post, id=post_id)
    post.hidden_from_feed = request.POST.get("hide") == "1"
    post.save(update_fields=["hidden_from_feed", "updated_at"])
    messages.success(request, _("Beitrag ausgeblendet.") if post.hidden_from_feed else _("Beitrag wieder sichtbar."))
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "community:moderation"  # a path on this site only: never an open redirect from a staff form
    return redirect(target)
