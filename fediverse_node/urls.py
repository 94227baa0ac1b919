"""URL map: discovery, ActivityPub endpoints, the client API and the website."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from actors import views as actor_views
from clientapi.urls import api_urlpatterns
from community.sitemaps import SITEMAPS
from community.views.account import PasswordResetView
from community.views.interaction import authorize_interaction
from community.views.site import robots_txt
from inbox import views as inbox_views
from posts import views as post_views

from .security_headers import csp_report


def media_serve(request, path: str, document_root: str):
    """Uploaded media, readable by web apps on any origin (Phanpy and Elk draw previews from the bytes)."""
    response = serve(request, path, document_root=document_root)
    response["Access-Control-Allow-Origin"] = "*"
    return response

urlpatterns = [
    path("api/", include(api_urlpatterns)),  # the routes apps call most often: first, and below one prefix
    path("csp-report", csp_report),
    path(".well-known/webfinger", actor_views.webfinger),
    path(".well-known/host-meta", actor_views.host_meta),
    path(".well-known/nodeinfo", actor_views.nodeinfo_links),
    path("nodeinfo/<str:version>", post_views.nodeinfo),
    path("inbox", inbox_views.shared_inbox),
    path("actors/<str:username>", post_views.actor_view, name="actor"),
    path("actors/<str:username>/inbox", inbox_views.actor_inbox),
    path("actors/<str:username>/outbox", post_views.outbox_view),
    path("actors/<str:username>/followers", actor_views.followers_view),
    path("actors/<str:username>/following", actor_views.following_view),
    path("actors/<str:username>/posts/<int:post_id>", post_views.post_view, name="post"),
    path("actors/<str:username>/posts/<int:post_id>/activity", post_views.post_activity_view),
    path("actors/<str:username>/posts/<int:post_id>/replies", post_views.post_replies_view),
    path("", include("clientapi.urls")),
    # The site's own log-in (also the one apps reach through OAuth), log-out by POST, password reset by e-mail.
    path(
        "auth/login/",
        # the site's name, not the Host header Django's LoginView would put in "site_name"
        auth_views.LoginView.as_view(template_name="community/login.html", extra_context={"site_name": settings.FEDINODE_NAME}),
        name="login",
    ),
    path("auth/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("auth/password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "auth/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="community/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "auth/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="community/password_set.html"),
        name="password_reset_confirm",
    ),
    path(
        "auth/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="community/password_done.html"),
        name="password_reset_complete",
    ),
    path("authorize_interaction", authorize_interaction, name="authorize_interaction"),
    path("robots.txt", robots_txt),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
         name="sitemap"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    re_path(r"^media/(?P<path>.*)$", media_serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("mapview.urls")),
    path("", include("community.urls")),
]

handler404 = "fediverse_node.errors.not_found"
handler500 = "fediverse_node.errors.server_error"
handler403 = "fediverse_node.errors.forbidden"
