"""Pictures in posts and article covers show on every page type, for uploads here and remote attachments alike."""

import pytest
from django.test import Client

from community.mediaproxy import attachment_url
from posts.models import PostType
from posts.services.media import media_create
from posts.services.publishing import post_create
from posts.services.remote import post_upsert_remote
from tests.community.site import campaign, image_sources, member, remote_member
from tests.posts.test_media import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


def test_post_pictures_and_article_covers_have_their_real_address_on_every_page():
    kita = member("kita", "Kita Regenbogen")
    campaign()
    photo = media_create(owner=kita, upload=upload(jpeg_with_gps()), description="Hochbeet")
    post = post_create(author=kita, text="Hochbeete gebaut #GleichImNetz", attachments=[photo])
    cover = media_create(owner=kita, upload=upload(jpeg_with_gps()), description="Titelbild")
    article = post_create(author=kita, text="# Bericht\n\nText", name="Bericht", type=PostType.ARTICLE,
                          attachments=[cover], tags=["gleichimnetz"])
    fern = remote_member("fern")
    remote_post = post_upsert_remote(author=fern, obj={
        "id": f"{fern.uri}/statuses/1", "type": "Note", "content": "<p>Vom Deich #GleichImNetz</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "tag": [{"type": "Hashtag", "name": "#GleichImNetz"}],
        "attachment": [{"type": "Image", "mediaType": "image/png", "url": "https://remote.example/media/deich.png",
                        "name": "Deich"}],
    })
    local_src = photo.file.url
    # a remote picture is shown through our media proxy: a visitor's browser contacts only this site
    remote_src = attachment_url(remote_post.attachments.get())
    assert remote_src.startswith("/media-proxy/")
    client = Client()
    for path, expected in [
        ("/feed/", {local_src, remote_src}),
        ("/", {local_src, remote_src}),
        ("/tags/gleichimnetz", {local_src, remote_src}),
        ("/campaigns/kampagne/", {local_src}),
        ("/members/kita/", {local_src, cover.file.url}),
        ("/members/fern@remote.example/", {remote_src}),
        ("/blog/", {cover.file.url}),
        (f"/blog/{article.id}/", {cover.file.url}),
        (f"/posts/{post.id}/", {local_src}),
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        sources = image_sources(page.content.decode())
        assert "" not in sources, path
        assert expected <= set(sources), (path, sources)
    assert client.get(local_src).status_code == 200  # the address serves the picture
