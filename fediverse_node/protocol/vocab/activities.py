"""Activities: Create, Update, Delete, Follow, Accept, Reject, Undo, Like, Announce, Flag, Join, Leave… Parsed from
what peers POST to our inboxes, rendered for what we send. The object stays as it came (an id, or an embedded
object to parse with the model of its kind: PostObject, Actor, or Activity for Undo, Accept and relayed ones)."""

from dataclasses import dataclass
from datetime import datetime

from .values import MAX_ITEMS, VocabError, addresses, id_of, ids_of, iso, kind_of, require_id, text, when

ACTIVITY_TYPES = frozenset({
    "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce", "Flag", "Join", "Leave",
    "Block", "Move", "Add", "Remove", "EmojiReact", "TentativeAccept", "TentativeReject", "Invite",
})
MAX_COMMENT = 5000  # a Flag's comment


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity. `object_id` is the object's id whether embedded or not; `object` the embedded object as it
    came (None when only its id came); `object_ids` every object it names (a Flag names an account and posts)."""

    id: str
    type: str
    actor: str
    object_id: str = ""
    object: dict | None = None
    object_ids: tuple[str, ...] = ()
    target: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    published: datetime | None = None
    content: str = ""

    @classmethod
    def parse(cls, document, *, embedded: bool = False) -> "Activity":
        """An activity, or VocabError. An embedded one (the Follow inside an Accept or Undo) may lack its id
        (some peers re-mint it) but never its type."""
        if embedded and not isinstance(document, dict):
            raise VocabError("The embedded activity is not an object.")
        identifier = id_of(document) if embedded else require_id(document, what="activity")
        kind = kind_of(document)
        if not kind:
            raise VocabError("The activity has no type.")
        actor = id_of(document.get("actor"))
        if not actor and not embedded:
            raise VocabError("The activity has no actor.")
        obj = document.get("object")
        if isinstance(obj, list) and len(obj) == 1:
            obj = obj[0]
        return cls(
            id=identifier, type=kind, actor=actor,
            object_id=id_of(obj), object=obj if isinstance(obj, dict) else None,
            object_ids=ids_of(document.get("object"))[:MAX_ITEMS],
            target=id_of(document.get("target")),
            to=addresses(document.get("to")), cc=addresses(document.get("cc")),
            published=when(document.get("published")),
            content=text(document.get("content"), MAX_COMMENT),
        )

    @property
    def object_type(self) -> str:
        """The embedded object's type; "" when only an id came."""
        return kind_of(self.object)

    def inner(self) -> "Activity | None":
        """The embedded object read as an activity (Undo(Follow), Accept(Follow), Announce(Create)); None if
        the object is not an embedded activity."""
        if self.object is None:
            return None
        try:
            return Activity.parse(self.object, embedded=True)
        except VocabError:
            return None

    def render(self) -> dict:
        """The activity (without @context); `object` as given: an id, or an object already rendered."""
        document: dict = {"id": self.id, "type": self.type, "actor": self.actor}
        if self.published:
            document["published"] = iso(self.published)
        if self.to or self.cc:
            document.update(to=list(self.to), cc=list(self.cc))
        # an embedded object, else one id, else the list of ids (a Flag names an account and posts)
        document["object"] = self.object if self.object is not None else self.object_id or list(self.object_ids)
        if self.content:
            document["content"] = self.content
        return document
