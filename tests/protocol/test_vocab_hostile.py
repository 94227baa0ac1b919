"""Hostile documents: the typed layer raises nothing but VocabError, and only absolute http(s) URLs of bounded
length become ids or links."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fediverse_node.protocol.vocab import Activity, Actor, PostObject, VocabError

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
    | st.sampled_from(["https://a.example/x", "javascript:alert(1)", "Note", "Person", "Create", "as:Public"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "actor", "object", "inbox", "to", "cc", "tag", "attachment", "url", "content",
                         "contentMap", "attributedTo", "publicKey", "endpoints", "oneOf", "published", "location"]),
        children, max_size=8),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_parsing_anything_raises_only_vocab_error(document):
    for parse in (Actor.parse, PostObject.parse, Activity.parse):
        try:
            parse(document)
        except VocabError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["to", "cc", "tag", "attachment", "url", "attributedTo", "inReplyTo",
                                        "contentMap", "startTime", "location", "oneOf", "published"]), JSON))
def test_a_note_with_any_optional_fields_parses(extra):
    note = PostObject.parse({**extra, "id": "https://a.example/n/1", "type": "Note"})
    for url in (note.url, note.in_reply_to, note.attributed_to, *note.to, *note.mentions):
        assert url == "" or url.startswith("https://")


NOTE = {"id": "https://a.example/n/1", "type": "Note", "attributedTo": "https://a.example/u"}


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html,x", "https://", "/relative", "ftp://a.example/x",
                                 "https://a.example/" + "x" * 600, "https://a.exa mple/", 42, None, ["javascript:x"]])
def test_no_id_or_link_but_absolute_http(bad):
    with pytest.raises(VocabError):
        PostObject.parse({**NOTE, "id": bad})
    note = PostObject.parse({**NOTE, "url": bad, "inReplyTo": bad, "to": bad,
                             "attachment": {"type": "Image", "url": bad}, "tag": {"type": "Mention", "href": bad}})
    assert (note.url, note.in_reply_to, note.to, note.attachments, note.mentions) == ("", "", (), (), [])
    actor = {"id": "https://a.example/u", "type": "Person", "inbox": "https://a.example/inbox"}
    parsed = Actor.parse({**actor, "url": bad, "icon": {"type": "Image", "url": bad}, "endpoints": {"sharedInbox": bad}})
    assert (parsed.url, parsed.icon, parsed.shared_inbox) == ("", "", "")
    with pytest.raises(VocabError):
        Actor.parse({**actor, "inbox": bad})


def test_refusals_say_why():
    with pytest.raises(VocabError, match="Not a post object"):
        PostObject.parse({**NOTE, "type": ["Note", "Page"]})  # a list as type is no type we know
    with pytest.raises(VocabError, match="Not an actor"):
        Actor.parse({"id": "https://a.example/u", "type": "Note", "inbox": "https://a.example/inbox"})
    with pytest.raises(VocabError, match="no actor"):
        Activity.parse({"id": "https://a.example/a", "type": "Create", "actor": "urn:x"})
    with pytest.raises(VocabError, match="JSON object"):
        Activity.parse([NOTE])


def test_sizes_are_bounded():
    note = PostObject.parse({**NOTE, "content": "x" * 300_000, "name": "n" * 1000, "summary": "s" * 5000,
                             "to": ["https://a.example/f"] * 5000, "attachment": [
                                 {"type": "Image", "url": f"https://a.example/{i}.png"} for i in range(100)]})
    assert len(note.content) == 200_000 and len(note.name) == 500 and len(note.summary) == 1000
    assert note.to == ("https://a.example/f",) and len(note.attachments) == 16
    flag = Activity.parse({"id": "https://a.example/f", "type": "Flag", "actor": "https://a.example/u",
                           "object": [f"https://b.example/{i}" for i in range(5000)]})
    assert len(flag.object_ids) == 1000


def test_booleans_are_json_booleans():
    assert not PostObject.parse({**NOTE, "sensitive": "false"}).sensitive
    actor = {"id": "https://a.example/u", "type": "Person", "inbox": "https://a.example/inbox"}
    assert Actor.parse(actor).discoverable  # absent: discoverable, as Mastodon reads it
    assert not Actor.parse({**actor, "discoverable": None}).discoverable


def test_a_blurhash_is_kept_only_in_the_shape_apps_decode():
    good = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"  # 4 x 3 components, as Mastodon makes them
    hashes = [good, good[:-1], good + "0", '<img src=x onerror=alert(1)>"><script>alert(2)</script>', "LE HV6nWB2yk8",
              "L" * 28 + "\n", 42, None, ["LEHV6n"]]
    note = PostObject.parse({**NOTE, "attachment": [
        {"type": "Image", "url": f"https://a.example/{n}.png", "blurhash": value} for n, value in enumerate(hashes)]})
    assert [item.blurhash for item in note.attachments] == [good] + [""] * (len(hashes) - 1)
