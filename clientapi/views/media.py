"""Media uploads: images are processed at once, so the answer carries the URL (Mastodon.py posts right after)."""

from django.http import HttpRequest

from posts.models import Attachment
from posts.services.media import MediaError, media_create, media_update

from ..entities.media import attachment_entity
from ..http import USER, ApiError, endpoint, not_found

SCOPE = "write:media"


@endpoint(auth=USER, scope=SCOPE)
def media_upload(request: HttpRequest, caller, params) -> dict:
    upload = params.files.get("file")
    if upload is None:
        raise ApiError(422, "Validation failed: file is missing (send the image as multipart form field 'file')")
    try:
        attachment = media_create(
            owner=caller.actor, upload=upload, description=params.str("description"),
            focus=params.optional_str("focus") or None,
        )
    except MediaError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return attachment_entity(attachment)


def _own_media(caller, id: str) -> Attachment:
    if not id.isdigit():
        raise not_found()
    attachment = Attachment.objects.filter(owner=caller.actor, id=id).first()
    if attachment is None:
        raise not_found()
    return attachment


@endpoint(auth=USER, scope=SCOPE)
def media_get(request: HttpRequest, caller, params, id: str) -> dict:
    return attachment_entity(_own_media(caller, id))


@endpoint(auth=USER, scope=SCOPE)
def media_change(request: HttpRequest, caller, params, id: str) -> dict:
    attachment = _own_media(caller, id)
    try:
        attachment = media_update(
            attachment=attachment, description=params.optional_str("description"),
            focus=params.optional_str("focus") or None,
        )
    except MediaError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return attachment_entity(attachment)
