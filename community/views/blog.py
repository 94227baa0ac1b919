"""Writing a blog story: a member organisation for itself, staff (editors) on behalf of a member."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from actors.models import Actor, ActorType
from fediverse_node.errors import localized
from posts.models import PostType
from posts.services.media import MediaError, media_create
from posts.services.publishing import PostError, post_create

from ..forms import ArticleForm


def _authors(user) -> list[Actor]:
    """Whom the user may write as: staff any local member organisation, a member only itself."""
    members = Actor.objects.visible().filter(local=True, type=ActorType.ORGANIZATION)
    if user.is_staff:
        return list(members.order_by("display_name"))
    return list(members.filter(user=user))


@login_required
def article_write(request):
    authors = _authors(request.user)
    if not authors:
        return render(request, "community/not_allowed.html", {"nav": "blog"}, status=403)
    choosing = request.user.is_staff
    form = ArticleForm(request.POST or None, request.FILES or None, authors=authors if choosing else ())
    if request.method == "POST" and form.is_valid():
        author = next((a for a in authors if a.username == form.cleaned_data.get("author")), authors[0])
        try:
            attachments = []
            if form.cleaned_data.get("cover"):
                attachments.append(media_create(
                    owner=author, upload=form.cleaned_data["cover"], description=form.cleaned_data["cover_description"]
                ))
            article = post_create(
                author=author, text=form.cleaned_data["body"], name=form.cleaned_data["title"],
                type=PostType.ARTICLE, attachments=attachments, tags=form.tag_list(),
            )
        except MediaError as error:
            form.add_error("cover", localized(error))
        except PostError as error:
            form.add_error("body", localized(error))
        else:
            return redirect("community:article", article.id)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/article_write.html", {"nav": "blog", "form": form}, status=status)
