"""Accounts: the caller's own profile, others' profiles, follows, blocks, mutes and follow requests."""

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest

from actors.models import Actor, Block, Follow, FollowState, Mute
from actors.services.blocks import block_create, block_undo, mute_create, mute_undo
from actors.services.follow import follow_accept, follow_reject, follow_request, follow_undo
from actors.services.profile import actor_profile_update
from actors.services.remote import ResolveError, actor_resolve
from posts.services.media import MediaError, media_create

from ..entities.accounts import AccountStats, account_entity, credential_account_entity
from ..entities.common import absolute
from ..entities.relations import relationship_entities
from ..http import OPTIONAL, USER, ApiError, endpoint, not_found
from ..paging import paged_answer


def actor_by_id(id: str) -> Actor:
    actor = Actor.objects.filter(id=id, suspended=False, deleted=False).first() if str(id).isdigit() else None
    if actor is None:
        raise not_found()
    return actor


def accounts(actors: list[Actor]) -> list[dict]:
    stats = AccountStats(a.id for a in actors)
    return [account_entity(a, stats) for a in actors]


@endpoint(auth=USER, scope="read:accounts")
def verify_credentials(request: HttpRequest, caller, params) -> dict:
    return credential_account_entity(caller.actor)


def _uploaded_image_url(caller, params, name: str) -> str | None:
    upload = params.files.get(name)
    if upload is None:
        return None
    try:
        attachment = media_create(owner=caller.actor, upload=upload, description="")
    except MediaError as error:
        raise ApiError(422, f"Validation failed: {name}: {error}") from None
    return absolute(attachment.file.url)


@endpoint(auth=USER, scope="write:accounts")
def update_credentials(request: HttpRequest, caller, params) -> dict:
    fields = None
    items = params.dict_items("fields_attributes")
    if items or params.raw("fields_attributes") is not None:
        fields = [(str(i.get("name", "")), str(i.get("value", ""))) for i in items]
    try:
        actor_profile_update(
            actor=caller.actor,
            display_name=params.optional_str("display_name"),
            note=params.optional_str("note"),
            fields=fields,
            locked=params.optional_bool("locked"),
            discoverable=params.optional_bool("discoverable"),
            icon_url=_uploaded_image_url(caller, params, "avatar"),
            image_url=_uploaded_image_url(caller, params, "header"),
        )
    except ValueError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return credential_account_entity(caller.actor)


@endpoint(auth=OPTIONAL, scope="read:accounts")
def account_get(request: HttpRequest, caller, params, id: str) -> dict:
    return account_entity(actor_by_id(id))


def _split_acct(text: str) -> tuple[str, str]:
    text = text.strip().lstrip("@")
    username, _, domain = text.partition("@")
    return username, domain or settings.FEDINODE_DOMAIN


@endpoint(auth=OPTIONAL, scope="read:accounts")
def lookup(request: HttpRequest, caller, params) -> dict:
    username, domain = _split_acct(params.str("acct"))
    if not username:
        raise ApiError(422, "Validation failed: acct is missing")
    actor = Actor.objects.filter(
        username__iexact=username, domain__iexact=domain, suspended=False, deleted=False
    ).first()
    if actor is None:
        raise not_found()
    return account_entity(actor)


def search_accounts(*, query: str, resolve: bool, viewer: Actor | None, limit: int, offset: int = 0,
                    following: bool = False) -> list[Actor]:
    """Accounts matching a name or handle; with resolve, an exact remote handle is looked up by WebFinger."""
    query = query.strip()
    if not query:
        return []
    if resolve and viewer is not None and (query.lstrip("@").count("@") == 1 or query.startswith("https://")
                                           or query.startswith("http://")):
        try:
            return [actor_resolve(query.lstrip("@"))]
        except ResolveError:
            pass
    username, _, domain = query.lstrip("@").partition("@")
    queryset = Actor.objects.filter(suspended=False, deleted=False).exclude(username="instance.actor")
    if domain:
        queryset = queryset.filter(username__iexact=username, domain__iexact=domain)
    else:
        queryset = queryset.filter(Q(username__icontains=query.lstrip("@")) | Q(display_name__icontains=query))
    if following and viewer is not None:
        queryset = queryset.filter(follower_set__follower=viewer, follower_set__state=FollowState.ACCEPTED)
    return list(queryset.order_by("-local", "username")[offset : offset + limit])


@endpoint(auth=OPTIONAL, scope="read:accounts")
def account_search(request: HttpRequest, caller, params) -> list:
    limit = max(1, min(params.int("limit", 40) or 40, 80))
    offset = params.offset()
    if offset is None:
        return []
    found = search_accounts(
        query=params.str("q"), resolve=params.bool("resolve"), viewer=caller.actor, limit=limit, offset=offset,
        following=params.bool("following"),
    )
    return accounts(found)


@endpoint(auth=USER, scope="read:follows")
def relationships(request: HttpRequest, caller, params) -> list:
    ids = [str(i) for i in params.list("id") if str(i).isdigit()]
    targets = {str(a.id): a for a in Actor.objects.filter(id__in=ids)}
    return relationship_entities(caller.actor, [targets[i] for i in ids if i in targets])


@endpoint(auth=USER, scope="read:follows")
def familiar_followers(request: HttpRequest, caller, params) -> list:
    """For each account asked about, the accounts the caller follows that follow it too."""
    ids = list(dict.fromkeys(str(i) for i in params.list("id") if str(i).isdigit()))[:40]
    followed = Follow.objects.filter(follower=caller.actor, state=FollowState.ACCEPTED).values("target_id")
    known: dict[str, list[Actor]] = {i: [] for i in ids}
    rows = (
        Follow.objects.filter(target_id__in=[int(i) for i in ids], state=FollowState.ACCEPTED, follower_id__in=followed,
                              follower__suspended=False)
        .exclude(follower=caller.actor).select_related("follower").order_by("-id")
    )
    for row in rows:
        if len(known[str(row.target_id)]) < 40:
            known[str(row.target_id)].append(row.follower)
    stats = AccountStats(a.id for found in known.values() for a in found)
    return [{"id": i, "accounts": [account_entity(a, stats) for a in known[i]]} for i in ids]


def _relationship(caller, target: Actor) -> dict:
    return relationship_entities(caller.actor, [target])[0]


@endpoint(auth=USER, scope="write:follows")
def follow(request: HttpRequest, caller, params, id: str) -> dict:
    target = actor_by_id(id)
    if Block.objects.filter(Q(actor=caller.actor, target=target) | Q(actor=target, target=caller.actor)).exists():
        raise ApiError(403, "This action is not allowed: a block stands between these accounts")
    try:
        follow_request(follower=caller.actor, target=target)
    except ValueError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return _relationship(caller, target)


@endpoint(auth=USER, scope="write:follows")
def unfollow(request: HttpRequest, caller, params, id: str) -> dict:
    target = actor_by_id(id)
    follow_undo(follower=caller.actor, target=target)
    return _relationship(caller, target)


@endpoint(auth=USER, scope="write:follows")
def remove_from_followers(request: HttpRequest, caller, params, id: str) -> dict:
    target = actor_by_id(id)
    existing = Follow.objects.live().filter(follower=target, target=caller.actor).first()
    if existing is not None:
        follow_reject(follow=existing)
    return _relationship(caller, target)


def _relation_list(*, followers: bool):
    @endpoint(auth=OPTIONAL, scope="read:accounts")
    def view(request: HttpRequest, caller, params, id: str):
        actor = actor_by_id(id)
        accepted = Follow.objects.filter(state=FollowState.ACCEPTED)
        if followers:
            rows = accepted.filter(target=actor, follower__suspended=False).select_related("follower")
            attribute = "follower"
        else:
            rows, attribute = accepted.filter(follower=actor, target__suspended=False).select_related("target"), "target"
        return paged_answer(
            request, params, rows, lambda page: accounts([getattr(r, attribute) for r in page]), maximum=80
        )

    return view


followers = _relation_list(followers=True)
following = _relation_list(followers=False)


def _toggle(service, scope: str, **extra):
    @endpoint(auth=USER, scope=scope)
    def view(request: HttpRequest, caller, params, id: str) -> dict:
        target = actor_by_id(id)
        kwargs = {name: params.bool(name, default) for name, default in extra.items()}
        try:
            service(actor=caller.actor, target=target, **kwargs)
        except ValueError as error:
            raise ApiError(422, f"Validation failed: {error}") from None
        return _relationship(caller, target)

    return view


block = _toggle(block_create, "write:blocks")
unblock = _toggle(block_undo, "write:blocks")
mute = _toggle(mute_create, "write:mutes", notifications=True)
unmute = _toggle(mute_undo, "write:mutes")


def _listing(model, attribute: str, scope: str):
    @endpoint(auth=USER, scope=scope)
    def view(request: HttpRequest, caller, params):
        rows = model.objects.filter(actor=caller.actor).select_related(attribute)
        return paged_answer(request, params, rows, lambda page: accounts([getattr(r, attribute) for r in page]))

    return view


blocks = _listing(Block, "target", "read:blocks")
mutes = _listing(Mute, "target", "read:mutes")


@endpoint(auth=USER, scope="read:follows")
def follow_requests(request: HttpRequest, caller, params):
    rows = Follow.objects.filter(target=caller.actor, state=FollowState.PENDING).select_related("follower")
    return paged_answer(request, params, rows, lambda page: accounts([r.follower for r in page]))


def _decide(*, accept: bool):
    @endpoint(auth=USER, scope="write:follows")
    def view(request: HttpRequest, caller, params, id: str) -> dict:
        requester = actor_by_id(id)
        pending = Follow.objects.filter(follower=requester, target=caller.actor, state=FollowState.PENDING).first()
        if pending is None:
            raise not_found("Follow request")
        if accept:
            follow_accept(follow=pending)
        else:
            follow_reject(follow=pending)
        return _relationship(caller, requester)

    return view


follow_request_authorize = _decide(accept=True)
follow_request_reject = _decide(accept=False)
