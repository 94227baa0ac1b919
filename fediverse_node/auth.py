"""Log-in with the user name or the e-mail address (toot's `login_cli` asks for the e-mail); never into a
suspended account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(username__iexact=username).first()
        if user is None and "@" in username:
            matches = list(User.objects.filter(email__iexact=username)[:2])
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user) -> bool:
        """Also no sign-in for an account staff suspended; get_user asks the same, so its open sessions end."""
        if not super().user_can_authenticate(user):
            return False
        actor = getattr(user, "actor", None)  # None for staff logins without an actor
        return actor is None or not actor.suspended

    def get_user(self, user_id):
        # the actor comes in the same query: this runs on every signed-in request
        user = get_user_model()._default_manager.select_related("actor").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
