"""Routes of the Mastodon-compatible client API and OAuth; each answers with or without a trailing slash."""

from django.urls import path, re_path

from . import push_views
from .http import USER, api_route
from .oauth import views as oauth
from .views import accounts, media, misc, notifications, polls, reports, statuses, tags, timelines

A = "v1/accounts"
S = "v1/statuses"

# Below /api/, first of all routes (fediverse_node/urls.py): a page of the website passes this one prefix instead of
# trying each of the API's routes in turn, which cost it every time a list of the routes tried and the objects
# in reference cycles that the garbage collector then had to find.
api_urlpatterns = [
    api_route("v1/apps", post=oauth.apps_create),
    api_route("v1/apps/verify_credentials", get=oauth.apps_verify),
    # instance
    api_route("v1/instance", get=misc.instance),
    api_route("v2/instance", get=misc.instance_v2_view),
    api_route("v1/instance/peers", get=misc.empty_list(auth="public")),
    api_route("v1/instance/activity", get=misc.empty_list(auth="public")),
    api_route("v1/instance/rules", get=misc.empty_list(auth="public")),
    api_route("v1/instance/translation_languages", get=misc.empty_object()),
    api_route("v1/custom_emojis", get=misc.empty_list(auth="public")),
    # accounts
    api_route(f"{A}/verify_credentials", get=accounts.verify_credentials),
    api_route(f"{A}/update_credentials", patch=accounts.update_credentials),
    api_route(f"{A}/relationships", get=accounts.relationships),
    api_route(f"{A}/lookup", get=accounts.lookup),
    api_route(f"{A}/familiar_followers", get=accounts.familiar_followers),
    api_route(f"{A}/search", get=accounts.account_search),
    api_route(f"{A}/<id>", get=accounts.account_get),
    api_route(f"{A}/<id>/statuses", get=timelines.account_statuses),
    api_route(f"{A}/<id>/followers", get=accounts.followers),
    api_route(f"{A}/<id>/following", get=accounts.following),
    api_route(f"{A}/<id>/follow", post=accounts.follow),
    api_route(f"{A}/<id>/unfollow", post=accounts.unfollow),
    api_route(f"{A}/<id>/remove_from_followers", post=accounts.remove_from_followers),
    api_route(f"{A}/<id>/block", post=accounts.block),
    api_route(f"{A}/<id>/unblock", post=accounts.unblock),
    api_route(f"{A}/<id>/mute", post=accounts.mute),
    api_route(f"{A}/<id>/unmute", post=accounts.unmute),
    api_route(f"{A}/<id>/lists", get=misc.empty_list(USER)),
    api_route(f"{A}/<id>/featured_tags", get=misc.empty_list()),
    api_route("v1/blocks", get=accounts.blocks),
    api_route("v1/mutes", get=accounts.mutes),
    api_route("v1/domain_blocks", get=misc.empty_list(USER)),
    api_route("v1/follow_requests", get=accounts.follow_requests),
    api_route("v1/follow_requests/<id>/authorize", post=accounts.follow_request_authorize),
    api_route("v1/follow_requests/<id>/reject", post=accounts.follow_request_reject),
    api_route("v1/reports", post=reports.report_post),
    # statuses
    api_route(S, post=statuses.status_create),
    api_route(f"{S}/<id>", get=statuses.status_get, put=statuses.status_edit, delete=statuses.status_delete),
    api_route(f"{S}/<id>/source", get=statuses.status_source),
    api_route(f"{S}/<id>/context", get=statuses.status_context),
    api_route(f"{S}/<id>/history", get=statuses.status_history),
    api_route(f"{S}/<id>/favourite", post=statuses.status_favourite),
    api_route(f"{S}/<id>/unfavourite", post=statuses.status_unfavourite),
    api_route(f"{S}/<id>/reblog", post=statuses.status_reblog),
    api_route(f"{S}/<id>/unreblog", post=statuses.status_unreblog),
    api_route(f"{S}/<id>/bookmark", post=statuses.status_bookmark),
    api_route(f"{S}/<id>/unbookmark", post=statuses.status_unbookmark),
    api_route(f"{S}/<id>/pin", post=statuses.status_pin),
    api_route(f"{S}/<id>/unpin", post=statuses.status_unpin),
    api_route(f"{S}/<id>/mute", post=statuses.status_mute),
    api_route(f"{S}/<id>/unmute", post=statuses.status_unmute),
    api_route(f"{S}/<id>/favourited_by", get=statuses.status_favourited_by),
    api_route(f"{S}/<id>/reblogged_by", get=statuses.status_reblogged_by),
    api_route("v1/polls/<id>", get=polls.poll_get),
    api_route("v1/polls/<id>/votes", post=polls.poll_votes),
    api_route("v1/scheduled_statuses", get=misc.empty_list(USER)),
    api_route("v1/polls/<id>", get=misc.record_not_found),
    # media
    api_route("v1/media", post=media.media_upload),
    api_route("v2/media", post=media.media_upload),
    api_route("v1/media/<id>", get=media.media_get, put=media.media_change),
    # timelines and lists of statuses
    api_route("v1/timelines/home", get=timelines.home),
    api_route("v1/timelines/public", get=timelines.public),
    api_route("v1/timelines/tag/<hashtag>", get=timelines.tag),
    api_route("v1/timelines/list/<id>", get=misc.record_not_found),
    api_route("v1/favourites", get=timelines.favourites),
    api_route("v1/bookmarks", get=timelines.bookmarks),
    # notifications and markers
    api_route("v1/notifications", get=notifications.notifications),
    api_route("v1/notifications/clear", post=notifications.notifications_clear),
    api_route("v1/notifications/unread_count", get=notifications.unread_count),
    api_route("v1/notifications/<id>", get=notifications.notification_get),
    api_route("v1/notifications/<id>/dismiss", post=notifications.notification_dismiss),
    api_route("v1/markers", get=notifications.markers_get, post=notifications.markers_save),
    # search, tags, preferences
    api_route("v2/search", get=misc.search),
    api_route("v1/tags/<name>", get=tags.tag_get),
    api_route("v1/tags/<name>/follow", post=tags.tag_follow),
    api_route("v1/tags/<name>/unfollow", post=tags.tag_unfollow),
    api_route("v1/followed_tags", get=tags.followed_tags),
    api_route("v1/preferences", get=misc.preferences),
    # features not offered yet: empty lists clients accept, or Mastodon's "Record not found"
    api_route("v1/lists", get=misc.empty_list(USER)),
    api_route("v1/filters", get=misc.empty_list(USER)),
    api_route("v2/filters", get=misc.empty_list(USER)),
    api_route("v1/announcements", get=misc.empty_list(USER)),
    api_route("v1/conversations", get=misc.empty_list(USER)),
    api_route("v1/trends", get=misc.empty_list()),
    api_route("v1/trends/tags", get=misc.empty_list()),
    api_route("v1/trends/statuses", get=misc.empty_list()),
    api_route("v1/trends/links", get=misc.empty_list()),
    api_route("v1/suggestions", get=misc.empty_list(USER)),
    api_route("v2/suggestions", get=misc.empty_list(USER)),
    api_route("v1/endorsements", get=misc.empty_list(USER)),
    api_route("v1/featured_tags", get=misc.empty_list(USER)),
    api_route("v1/push/subscription", get=push_views.push_subscription_get,
              post=push_views.push_subscription_create, put=push_views.push_subscription_update,
              delete=push_views.push_subscription_delete),
    # last: any other API path answers a JSON 404 with CORS (a preflight too)
    re_path(r"^(?P<path>.*)$", misc.unknown_api_route),
]

urlpatterns = [
    re_path(r"^oauth/authorize/?$", oauth.authorize, name="oauth-authorize"),
    re_path(r"^oauth/token/?$", oauth.token),
    re_path(r"^oauth/revoke/?$", oauth.revoke),
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata),
]
