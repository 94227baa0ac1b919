"""Actor documents (Person, Organization, Group, Service, Application): parsed from peers, rendered for ours."""

from dataclasses import dataclass

from ..links import http_url
from .values import MAX_ID, VocabError, as_list, flag, id_of, kind_of, link_of, require_id, text

ACTOR_TYPES = frozenset({"Person", "Organization", "Group", "Service", "Application"})
MAX_SUMMARY = 10_000  # a profile's bio, cut before cleaning (Mastodon allows 500 characters)
MAX_FIELDS = 50
MAX_PEM = 10_000
# Takahē writes the schema.org type expanded; Mastodon and most others compact it
PROPERTY_VALUE = frozenset({"PropertyValue", "schema:PropertyValue", "http://schema.org#PropertyValue",
                            "http://schema.org/PropertyValue"})


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A key the actor signs with (security/v1 `publicKey`)."""

    id: str
    owner: str
    pem: str

    def render(self) -> dict:
        return {"id": self.id, "owner": self.owner, "publicKeyPem": self.pem}


@dataclass(frozen=True, slots=True)
class Multikey:
    """A key the actor makes assertions with (FEP-521a `assertionMethod`): Object Integrity Proofs (FEP-8b32)."""

    id: str
    controller: str
    public_key_multibase: str

    def render(self) -> dict:
        return {"id": self.id, "type": "Multikey", "controller": self.controller,
                "publicKeyMultibase": self.public_key_multibase}


@dataclass(frozen=True, slots=True)
class ProfileField:
    """One of Mastodon's profile fields (schema.org PropertyValue); `value` is HTML, not yet cleaned."""

    name: str
    value: str

    def render(self) -> dict:
        return {"type": "PropertyValue", "name": self.name, "value": self.value}


@dataclass(frozen=True, slots=True)
class Place:
    """An ActivityStreams Place: a name, and where it has them a link (an online meeting) or a position."""

    name: str = ""
    url: str = ""
    latitude: float | None = None
    longitude: float | None = None
    type: str = "Place"

    @classmethod
    def parse(cls, value) -> "Place | None":
        """A Place object, or a bare name as some servers send it; None for anything else."""
        if isinstance(value, str):
            return cls(name=value[:500]) if value else None
        if not isinstance(value, dict):
            return None
        return cls(
            type=text(value.get("type"), 500), name=text(value.get("name"), 500), url=link_of(value.get("url")),
            latitude=_coordinate(value.get("latitude"), 90), longitude=_coordinate(value.get("longitude"), 180),
        )

    def render(self) -> dict:
        place: dict = {"type": self.type} if self.type else {}
        if self.latitude is not None and self.longitude is not None:
            place.update(latitude=self.latitude, longitude=self.longitude)
        if self.name:
            place["name"] = self.name
        if self.url:
            place["url"] = self.url
        return place


def _coordinate(value, bound: float) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and -bound <= value <= bound:
        return float(value)
    return None


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor document. Parsed: every link is http(s) or ""; rendered: the document peers fetch from us."""

    id: str
    type: str
    inbox: str
    preferred_username: str = ""
    name: str = ""
    summary: str = ""
    url: str = ""
    icon: str = ""
    image: str = ""
    outbox: str = ""
    followers: str = ""
    following: str = ""
    shared_inbox: str = ""
    published: str = ""
    manually_approves_followers: bool = False
    discoverable: bool = True
    suspended: bool = False
    fields: tuple[ProfileField, ...] = ()
    public_keys: tuple[PublicKey, ...] = ()
    assertion_methods: tuple[Multikey, ...] = ()
    location: Place | None = None

    @classmethod
    def parse(cls, document) -> "Actor":
        """An actor from a peer's document, or VocabError (no id, not an actor type, no inbox)."""
        identifier = require_id(document, what="actor")
        kind = kind_of(document)
        if kind not in ACTOR_TYPES:
            raise VocabError("Not an actor: type %(type)s.", type=repr(document.get("type"))[:80])
        inbox = id_of(document.get("inbox"))
        if not inbox:
            raise VocabError("The actor has no inbox.")
        endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
        return cls(
            id=identifier, type=kind, inbox=inbox,
            preferred_username=text(document.get("preferredUsername"), 500),
            name=text(document.get("name"), 200),
            summary=text(document.get("summary"), MAX_SUMMARY),
            url=link_of(document.get("url")),
            icon=link_of(document.get("icon")),
            image=link_of(document.get("image")),
            outbox=id_of(document.get("outbox")),
            followers=id_of(document.get("followers")),
            following=id_of(document.get("following")),
            shared_inbox=id_of(endpoints.get("sharedInbox")),
            published=text(document.get("published"), 64),
            manually_approves_followers=flag(document.get("manuallyApprovesFollowers")),
            discoverable=flag(document.get("discoverable", True)),
            suspended=flag(document.get("suspended")),
            fields=tuple(
                ProfileField(name=text(item.get("name"), 200), value=text(item.get("value"), 2000))
                for item in as_list(document.get("attachment"))[:MAX_FIELDS]
                if kind_of(item) in PROPERTY_VALUE
            ),
            public_keys=_keys(document.get("publicKey"), owner=identifier),
            assertion_methods=_multikeys(document.get("assertionMethod")),
            location=Place.parse(document.get("location")),
        )

    def render(self) -> dict:
        """The document (without @context): identity, endpoints, collections and key; the profile unless
        suspended (as Mastodon: peers can still verify what a suspended actor signed)."""
        document: dict = {
            "id": self.id,
            "type": self.type,
            "preferredUsername": self.preferred_username,
            "name": self.name,
            "url": self.url or self.id,
            "inbox": self.inbox,
            "outbox": self.outbox,
            "followers": self.followers,
            "following": self.following,
            "endpoints": {"sharedInbox": self.shared_inbox},
            "published": self.published,
        }
        if self.public_keys:
            document["publicKey"] = self.public_keys[0].render()
        if self.assertion_methods:
            document["assertionMethod"] = [key.render() for key in self.assertion_methods]
        if self.suspended:
            document["suspended"] = True
            return document
        document.update({
            "summary": self.summary,
            "manuallyApprovesFollowers": self.manually_approves_followers,
            "discoverable": self.discoverable,
            "attachment": [f.render() for f in self.fields],
            "tag": [],
        })
        if self.icon:
            document["icon"] = {"type": "Image", "url": self.icon}
        if self.image:
            document["image"] = {"type": "Image", "url": self.image}
        if self.location is not None:
            document["location"] = self.location.render()
        return document


def _keys(value, *, owner: str) -> tuple[PublicKey, ...]:
    """The keys an actor document publishes (one or a list); each must have an http(s) id and a PEM."""
    keys = []
    for key in as_list(value)[:10]:
        if not isinstance(key, dict):
            continue
        key_id, pem = http_url(key.get("id"), max_length=MAX_ID), key.get("publicKeyPem")
        if key_id and isinstance(pem, str) and len(pem) <= MAX_PEM:
            keys.append(PublicKey(id=key_id, owner=id_of(key.get("owner")) or owner, pem=pem))
    return tuple(keys)


def _multikeys(value) -> tuple[Multikey, ...]:
    """The Multikeys an actor document lists as assertionMethods; each needs an http(s) id and controller."""
    keys = []
    for key in as_list(value)[:10]:
        if not isinstance(key, dict) or kind_of(key) != "Multikey":
            continue
        key_id, controller = http_url(key.get("id"), max_length=MAX_ID), id_of(key.get("controller"))
        multibase = key.get("publicKeyMultibase")
        if key_id and controller and isinstance(multibase, str) and len(multibase) <= MAX_PEM:
            keys.append(Multikey(id=key_id, controller=controller, public_key_multibase=multibase))
    return tuple(keys)


def key_owner(document) -> str:
    """A standalone key document's owner (GoToSocial serves the keyId as a key of its own): its id, or ""."""
    if not isinstance(document, dict) or kind_of(document) in ACTOR_TYPES:
        return ""
    return id_of(document.get("owner"))
