"""Password reset by e-mail, in the site's design; the link in the e-mail always points at this node's own address."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "community/password_reset.html"
    email_template_name = "community/password_reset_email.txt"
    subject_template_name = "community/password_reset_subject.txt"

    def form_valid(self, form):
        # Django would build the link from the request's Host header; a requester must not choose where it leads.
        form.save(
            domain_override=settings.FEDINODE_DOMAIN,
            use_https=settings.FEDINODE_SCHEME == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"site_name": settings.FEDINODE_NAME},
        )
        return HttpResponseRedirect(self.get_success_url())
