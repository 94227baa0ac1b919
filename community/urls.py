from django.urls import path

from .views import blog, membership, pages, profile_edit, syndication

app_name = "community"

urlpatterns = [
    path("", pages.feed, name="feed"),
    path("feed.rss", syndication.CommunityFeed(), name="feed_rss"),
    path("feed.atom", syndication.CommunityAtom(), name="feed_atom"),
    path("members/", pages.directory, name="directory"),
    path("members/<str:handle>/", pages.profile, name="profile"),
    path("members/<str:handle>/follow", pages.remote_follow, name="remote_follow"),
    path("members/<str:handle>/edit/", profile_edit.profile_edit, name="profile_edit"),
    path("members/<str:handle>/feed.rss", syndication.ProfileFeed(), name="profile_rss"),
    path("members/<str:handle>/feed.atom", syndication.ProfileAtom(), name="profile_atom"),
    path("tags/<str:name>", pages.hashtag, name="hashtag"),
    path("campaigns/<slug:slug>/", pages.campaign, name="campaign"),
    path("groups/", pages.groups, name="groups"),
    path("groups/<str:username>/", pages.group, name="group"),
    path("blog/", pages.blog, name="blog"),
    path("blog/feed.rss", syndication.BlogFeed(), name="blog_rss"),
    path("blog/feed.atom", syndication.BlogAtom(), name="blog_atom"),
    path("blog/<int:article_id>/", pages.article, name="article"),
    path("blog/write/", blog.article_write, name="article_write"),
    path("apply/", membership.apply, name="apply"),
    path("language/<str:code>", pages.language, name="language"),
    path("moderation/", membership.moderation, name="moderation"),
    path("moderation/applications/<int:application_id>", membership.application_decide, name="application_decide"),
    path("moderation/posts/<int:post_id>", membership.post_visibility, name="post_visibility"),
]
