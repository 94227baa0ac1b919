"""Routes of the Mastodon-compatible client API and OAuth; each answers with or without a trailing slash."""

import re

from django.urls import URLResolver, include, path, re_path

from . import push_views
from .http import USER, api_route
from .oauth import views as oauth
from .views import accounts, media, misc, notifications, polls, reports, statuses, tags, timelines


def section(prefix: str, routes: list) -> URLResolver:
    """The routes below `prefix` (each given without it), tried only when a path starts with that segment: a request
    passes a whole section in one try instead of each of its routes."""
    return re_path(rf"^{re.escape(prefix)}(?:/|$)", include(routes))


# Below /api/, first of all routes (fediverse_node/urls.py): a page of the website passes this one prefix instead of
# trying each of the API's routes in turn, which cost it every time a list of the routes tried and the objects
# in reference cycles that the garbage collector then had to find. Below it, sections by the first two segments
# (the home timeline is found after one try, not some 60), those apps call most first: no two sections match the
# same path, so their order changes only how soon a route is found. A section nested in another (v1, then
# timelines) cost more in resolve() than the tries it saved.
api_urlpatterns = [
    section("v1/timelines", [
        api_route("home", get=timelines.home),
        api_route("public", get=timelines.public),
        api_route("tag/<hashtag>", get=timelines.tag),
        api_route("list/<id>", get=misc.record_not_found),
    ]),
    section("v1/notifications", [
        api_route("", get=notifications.notifications),
        api_route("clear", post=notifications.notifications_clear),
        api_route("unread_count", get=notifications.unread_count),
        api_route("<id>", get=notifications.notification_get),
        api_route("<id>/dismiss", post=notifications.notification_dismiss),
    ]),
    api_route("v1/markers", get=notifications.markers_get, post=notifications.markers_save),
    section("v1/statuses", [
        api_route("", post=statuses.status_create),
        api_route("<id>", get=statuses.status_get, put=statuses.status_edit, delete=statuses.status_delete),
        api_route("<id>/source", get=statuses.status_source),
        api_route("<id>/context", get=statuses.status_context),
        api_route("<id>/history", get=statuses.status_history),
        api_route("<id>/favourite", post=statuses.status_favourite),
        api_route("<id>/unfavourite", post=statuses.status_unfavourite),
        api_route("<id>/reblog", post=statuses.status_reblog),
        api_route("<id>/unreblog", post=statuses.status_unreblog),
        api_route("<id>/bookmark", post=statuses.status_bookmark),
        api_route("<id>/unbookmark", post=statuses.status_unbookmark),
        api_route("<id>/pin", post=statuses.status_pin),
        api_route("<id>/unpin", post=statuses.status_unpin),
        api_route("<id>/mute", post=statuses.status_mute),
        api_route("<id>/unmute", post=statuses.status_unmute),
        api_route("<id>/favourited_by", get=statuses.status_favourited_by),
        api_route("<id>/reblogged_by", get=statuses.status_reblogged_by),
    ]),
    section("v1/accounts", [
        api_route("verify_credentials", get=accounts.verify_credentials),
        api_route("update_credentials", patch=accounts.update_credentials),
        api_route("relationships", get=accounts.relationships),
        api_route("lookup", get=accounts.lookup),
        api_route("familiar_followers", get=accounts.familiar_followers),
        api_route("search", get=accounts.account_search),
        api_route("<id>", get=accounts.account_get),
        api_route("<id>/statuses", get=timelines.account_statuses),
        api_route("<id>/followers", get=accounts.followers),
        api_route("<id>/following", get=accounts.following),
        api_route("<id>/follow", post=accounts.follow),
        api_route("<id>/unfollow", post=accounts.unfollow),
        api_route("<id>/remove_from_followers", post=accounts.remove_from_followers),
        api_route("<id>/block", post=accounts.block),
        api_route("<id>/unblock", post=accounts.unblock),
        api_route("<id>/mute", post=accounts.mute),
        api_route("<id>/unmute", post=accounts.unmute),
        api_route("<id>/lists", get=misc.empty_list(USER)),
        api_route("<id>/featured_tags", get=misc.empty_list()),
    ]),
    section("v1/apps", [
        api_route("", post=oauth.apps_create),
        api_route("verify_credentials", get=oauth.apps_verify),
    ]),
    section("v1/instance", [
        api_route("", get=misc.instance),
        api_route("peers", get=misc.empty_list(auth="public")),
        api_route("activity", get=misc.empty_list(auth="public")),
        api_route("rules", get=misc.empty_list(auth="public")),
        api_route("translation_languages", get=misc.empty_object()),
    ]),
    api_route("v1/custom_emojis", get=misc.empty_list(auth="public")),
    section("v1/media", [
        api_route("", post=media.media_upload),
        api_route("<id>", get=media.media_get, put=media.media_change),
    ]),
    section("v1/polls", [
        api_route("<id>", get=polls.poll_get),
        api_route("<id>/votes", post=polls.poll_votes),
    ]),
    api_route("v1/blocks", get=accounts.blocks),
    api_route("v1/mutes", get=accounts.mutes),
    api_route("v1/domain_blocks", get=misc.empty_list(USER)),
    section("v1/follow_requests", [
        api_route("", get=accounts.follow_requests),
        api_route("<id>/authorize", post=accounts.follow_request_authorize),
        api_route("<id>/reject", post=accounts.follow_request_reject),
    ]),
    api_route("v1/reports", post=reports.report_post),
    api_route("v1/scheduled_statuses", get=misc.empty_list(USER)),
    api_route("v1/favourites", get=timelines.favourites),
    api_route("v1/bookmarks", get=timelines.bookmarks),
    section("v1/tags", [
        api_route("<name>", get=tags.tag_get),
        api_route("<name>/follow", post=tags.tag_follow),
        api_route("<name>/unfollow", post=tags.tag_unfollow),
    ]),
    api_route("v1/followed_tags", get=tags.followed_tags),
    api_route("v1/preferences", get=misc.preferences),
    api_route("v1/push/subscription", get=push_views.push_subscription_get,
              post=push_views.push_subscription_create, put=push_views.push_subscription_update,
              delete=push_views.push_subscription_delete),
    # features not offered yet: empty lists clients accept
    api_route("v1/lists", get=misc.empty_list(USER)),
    api_route("v1/filters", get=misc.empty_list(USER)),
    api_route("v1/announcements", get=misc.empty_list(USER)),
    api_route("v1/conversations", get=misc.empty_list(USER)),
    section("v1/trends", [
        api_route("", get=misc.empty_list()),
        api_route("tags", get=misc.empty_list()),
        api_route("statuses", get=misc.empty_list()),
        api_route("links", get=misc.empty_list()),
    ]),
    api_route("v1/suggestions", get=misc.empty_list(USER)),
    api_route("v1/endorsements", get=misc.empty_list(USER)),
    api_route("v1/featured_tags", get=misc.empty_list(USER)),
    api_route("v2/instance", get=misc.instance_v2_view),
    api_route("v2/search", get=misc.search),
    api_route("v2/media", post=media.media_upload),
    api_route("v2/filters", get=misc.empty_list(USER)),
    api_route("v2/suggestions", get=misc.empty_list(USER)),
    # last: any other API path answers a JSON 404 with CORS (a preflight too)
    re_path(r"^(?P<path>.*)$", misc.unknown_api_route),
]

urlpatterns = [
    re_path(r"^oauth/authorize/?$", oauth.authorize, name="oauth-authorize"),
    re_path(r"^oauth/token/?$", oauth.token),
    re_path(r"^oauth/revoke/?$", oauth.revoke),
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata),
]
