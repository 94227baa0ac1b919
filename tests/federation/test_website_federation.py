"""The website across two real nodes: a blog article reaches a follower as Article and its reply shows under it;
a member organisation linked from another server has its posts in the community feed."""

import requests

from tests.nodes import wait_until

# createorg makes the listed member profile (in the directory, the feed and the map)
MEMBER_OPTIONS = ("--city", "Kiel", "--state", "SH", "--field", "engagement")


def test_article_federates_and_its_reply_shows_on_the_website(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1", *MEMBER_OPTIONS)
    node_b.cli("createorg", "leser", "--email", "l@example.org", "--password", "leser-pass-1")
    verein = node_a.actor_url("verein")
    node_b.cli("follow", "leser", verein)
    wait_until(lambda: node_b.actor_url("leser") in str(node_a.get_json(f"{verein}/followers?page=1")["orderedItems"]),
               message="B follows A")

    article_uri, article_id = node_a.query(
        "from actors.models import Actor\nfrom posts.services.publishing import post_create\n"
        "a = Actor.objects.get(local=True, username='verein')\n"
        "p = post_create(author=a, type='Article', name='Unser Garten', text='## Anfang\\n\\nEs war **schön**.',"
        " tags=['Garten'])\nprint(json.dumps([p.uri, p.id]))"
    )
    stored = wait_until(lambda: node_b.query(
        "from posts.models import Post\n"
        f"p = Post.objects.filter(uri={article_uri!r}).first()\n"
        "print(json.dumps(p and [p.type, p.name, p.content]))"
    ), message="the Article at B")
    assert stored[0] == "Article" and stored[1] == "Unser Garten" and "<strong>schön</strong>" in stored[2]

    node_b.query(
        "from posts.models import Post\nfrom actors.models import Actor\n"
        "from posts.services.publishing import post_create\n"
        f"parent = Post.objects.get(uri={article_uri!r})\n"
        "post_create(author=Actor.objects.get(local=True, username='leser'), text='Schöner Artikel, danke!',"
        " in_reply_to=parent)\nprint(json.dumps(1))"
    )
    page = wait_until(lambda: (lambda text: "Schöner Artikel" in text and text)(
        requests.get(f"{node_a.base}/blog/{article_id}/", timeout=10).text), message="the reply under the article")
    assert "@leser@" in page and "Unser Garten" in page


def test_linked_remote_member_posts_appear_in_the_community_feed(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_b.cli("createorg", "nachbarn", "--email", "n@example.org", "--password", "nachbarn-pass-1",
               "--display-name", "Nachbarn Kiel")
    remote = node_b.actor_url("nachbarn")
    linked = node_a.query(
        "from django.contrib.auth import get_user_model\n"
        "from community.services.membership import application_submit, application_approve\n"
        "staff = get_user_model().objects.create_user('redaktion', 'r@example.org', 'staff-pass-1', is_staff=True)\n"
        "app = application_submit(data=dict(organisation_name='Nachbarn Kiel', email='n@example.org',"
        f" remote_handle={remote!r}, city='Kiel', state='SH'), fields_of_work=['engagement'])\n"
        "actor = application_approve(application=app, staff_user=staff)\nprint(json.dumps(actor.uri))"
    )
    assert linked == remote
    wait_until(lambda: "instance.actor" in str(node_b.get_json(f"{remote}/followers?page=1")["orderedItems"]),
               message="A's instance actor follows the linked account")
    node_b.cli("post", "nachbarn", "Nachbarschaftsfest am Samstag #GleichImNetz")
    wait_until(lambda: "Nachbarschaftsfest" in requests.get(f"{node_a.base}/feed/", timeout=10).text,
               message="the linked member's post in A's community feed")
    directory = requests.get(f"{node_a.base}/members/?state=SH", timeout=10).text
    assert "Nachbarn Kiel" in directory
    profile = requests.get(f"{node_a.base}/members/nachbarn@{node_b.domain}/", timeout=10)
    assert profile.status_code == 200 and "Nachbarschaftsfest" in profile.text
