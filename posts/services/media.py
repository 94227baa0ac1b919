"""Image uploads (the processing service lands from the `media` branch; until then uploads are refused)."""


class MediaError(ValueError):
    """An upload that cannot be used (the message says why)."""


def media_create(*, owner, upload, description: str = "", focus: str | None = None):
    raise MediaError("Image uploads are not available yet on this server.")


def media_update(*, attachment, description: str | None = None, focus: str | None = None):
    raise MediaError("Image uploads are not available yet on this server.")
