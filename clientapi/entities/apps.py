"""Application and CredentialApplication entities."""

from django.conf import settings

from ..models import ClientApp


def application_entity(application, *, client_secret: str | None = None) -> dict:
    try:
        profile = application.client_app
        website, scopes = profile.website or None, profile.scopes.split()
    except ClientApp.DoesNotExist:
        website, scopes = None, ["read"]
    uris = application.redirect_uris.split()
    data = {
        "id": str(application.id),
        "name": application.name,
        "website": website,
        "scopes": scopes,
        "redirect_uris": uris,
        # deprecated single string: megalodon builds its authorize URL from it
        "redirect_uri": "\n".join(uris),
        "vapid_key": settings.FEDINODE_VAPID_PUBLIC_KEY,
    }
    if client_secret is not None:
        data.update(client_id=application.client_id, client_secret=client_secret, client_secret_expires_at=0)
    return data
