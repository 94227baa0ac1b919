"""Who is calling: the bearer token, its user's actor and its scopes."""

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from actors.models import Actor, Block, Mute
from actors.services.blocks import hidden_actor_ids

from .scopes import scope_allows

__all__ = ["Caller", "caller_for", "scope_allows"]


@dataclass
class Caller:
    token_id: int | None = None
    application_id: int | None = None
    actor: Actor | None = None
    scopes: frozenset[str] = frozenset()
    invalid_token: bool = False
    # whether the actor blocks, is blocked by or mutes anyone: read with the token, so that most timeline requests
    # need no query for the actors they hide
    hides_some: bool = True

    def hidden_actor_ids(self) -> set[int]:
        """Actors whose posts the caller does not see (actors.services.blocks.hidden_actor_ids)."""
        if self.actor is None or not self.hides_some:
            return set()
        return hidden_actor_ids(self.actor)

    @property
    def has_token(self) -> bool:
        return self.token_id is not None

    @property
    def application(self) -> Application | None:
        return Application.objects.filter(id=self.application_id).first() if self.application_id else None


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    # Streaming and some web clients pass the token as a parameter.
    return request.GET.get("access_token") or None


@functools.cache
def _token_query() -> str:
    """The token, whether it is still valid, its user's `is_active`, the user's actor and whether that actor hides
    anyone (a block either way or a mute), in one statement.

    Plain SQL: this runs on every API request, and the ORM's two queries (token, then actor) cost a third of a home
    timeline request's Python time on PostgreSQL, mostly in compiling them. The actor's columns come back as an
    Actor (_token_row); an application's own token has no user, so no actor."""
    connection = connections[router.db_for_read(AccessToken)]
    quote = connection.ops.quote_name

    def column(model, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    def exists(model, field: str) -> str:  # a row of model whose field is the actor
        table = quote(model._meta.db_table)
        return f"EXISTS (SELECT 1 FROM {table} WHERE {table}.{column(model, field)} = a.{column(Actor, 'id')})"

    user_model = get_user_model()
    hides = " OR ".join([exists(Block, "actor"), exists(Block, "target"), exists(Mute, "actor")])
    return (
        f"SELECT a.*, t.{column(AccessToken, 'id')} AS token_id, t.{column(AccessToken, 'scope')} AS token_scope, "
        f"t.{column(AccessToken, 'application')} AS token_application_id, "
        f"t.{column(AccessToken, 'user')} AS token_user_id, "
        f"t.{column(AccessToken, 'expires')} > %s AS token_live, u.{column(user_model, 'is_active')} AS user_active, "
        f"({hides}) AS hides_some "
        f"FROM {quote(AccessToken._meta.db_table)} t "
        f"LEFT JOIN {quote(user_model._meta.db_table)} u ON u.{column(user_model, 'id')} = t.{column(AccessToken, 'user')} "
        f"LEFT JOIN {quote(Actor._meta.db_table)} a ON a.{column(Actor, 'user')} = t.{column(AccessToken, 'user')} "
        f"WHERE t.{column(AccessToken, 'token_checksum')} = %s"
    )


def _token_row(database: str, params: list) -> dict[str, Any] | None:
    """The token query's row: its own columns by name, and "actor", the Actor its actor columns make (None for an
    application's own token). Read with a cursor and a layout kept per process: a RawQuerySet works the layout out
    anew on every request, a tenth of an API request's Python time."""
    with connections[database].cursor() as cursor:
        cursor.execute(_token_query(), params)
        fetched = cursor.fetchone()
        if fetched is None:
            return None
        columns = tuple(column[0] for column in cursor.description)
    layout = _token_row_layout(database, columns)
    values = next(layout.compiler.apply_converters([fetched], layout.converters)) if layout.converters else fetched
    row = {name: values[position] for name, position in layout.extras.items()}
    row["actor"] = None if values[layout.pk_position] is None else Actor.from_db(
        database, layout.actor_names, [values[position] for position in layout.actor_positions])
    return row


@dataclass(frozen=True)
class _RowLayout:
    compiler: Any
    converters: dict
    actor_names: tuple[str, ...]  # Actor's attribute names, for Actor.from_db
    actor_positions: tuple[int, ...]
    pk_position: int
    extras: dict[str, int]  # the token's columns


@functools.lru_cache(maxsize=8)
def _token_row_layout(database: str, columns: tuple[str, ...]) -> _RowLayout:
    by_column = {field.column: field for field in Actor._meta.concrete_fields}
    compiler = Actor.objects.all().query.get_compiler(using=database)
    table = Actor._meta.db_table
    # the fields' converters (JSON, and booleans and dates on SQLite), as the ORM applies them
    converters = compiler.get_converters([by_column[c].get_col(table) if c in by_column else None for c in columns])
    # Actor.from_db takes the values in the model's order of fields, not in the table's
    actor = [(columns.index(field.column), field.attname) for field in Actor._meta.concrete_fields
             if field.column in columns]
    return _RowLayout(
        compiler=compiler, converters=converters, actor_names=tuple(name for _, name in actor),
        actor_positions=tuple(position for position, _ in actor), pk_position=columns.index(Actor._meta.pk.column),
        extras={column: position for position, column in enumerate(columns) if column not in by_column},
    )


def caller_for(request: HttpRequest) -> Caller:
    """The caller of an API request; a token that is unknown, expired or revoked marks it invalid, and so does one
    whose user is deactivated or whose organisation is suspended."""
    if hasattr(request, "_api_caller"):
        return request._api_caller
    token_text = _bearer(request)
    caller = Caller()
    if token_text:
        checksum = hashlib.sha256(token_text.encode()).hexdigest()
        database = router.db_for_read(AccessToken)
        now = connections[database].ops.adapt_datetimefield_value(timezone.now())
        row = _token_row(database, [now, checksum])
        if row is None or not row["token_live"]:
            caller.invalid_token = True
        else:
            actor = row["actor"]
            if row["token_user_id"] and (actor is None or actor.suspended or not row["user_active"]):
                caller.invalid_token = True
            else:
                caller = Caller(token_id=row["token_id"], application_id=row["token_application_id"], actor=actor,
                                scopes=frozenset(row["token_scope"].split()), hides_some=bool(row["hides_some"]))
    request._api_caller = caller  # type: ignore[attr-defined]  # memo on the request, read back above
    return caller
