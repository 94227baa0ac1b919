"""New model instances written as one INSERT of a fixed text, without Django's per-value preparation.

`bulk_create` prepares every value of every instance through its field (`pre_save`, `get_db_prep_save` and the
calls under them): for a batch of 200 received posts with pictures that preparation cost as much as the inserts
themselves (bench/processing.py, docs/benchmarks.md). On PostgreSQL `instances_insert` sends each column as one
list to `INSERT … SELECT * FROM unnest(%s::type[], …)`, as bulk_create does since Django 5.2, with the text kept
per model and its values read straight off the instances. Only fields whose stored value needs work go through
their field: `auto_now`/`auto_now_add` dates (one moment for the batch, set on the instances as bulk_create sets
them), a file that is not a name yet, a naive datetime, and any type not named in `_AS_IS` (JSON, bytes). A text
column may hold a choice's enumeration member: its plain string is sent. The lists are then written by
`postgresql/arrays.py` over the whole list where it can (strings, numbers, booleans, aware datetimes).

On SQLite the same columns go to one `INSERT … VALUES (%s, …)` run once per row by `executemany` (in C, the
statement compiled once), with datetimes in the text SQLite keeps them as: bulk_create's per-value preparation
and its statement built for each batch were a quarter of storing a batch of received posts, all of it while the
batch held the main file's write lock, which every other writer of the node waits for (docs/benchmarks.md,
session 33).

Nothing is checked that bulk_create would not check (no validation, no signals: bulk_create sends none either).
Where the new ids must be read back, SQLite gets the rows in statements of as many as its limit of bound values
lets, with RETURNING. On another database, and for instances that it cannot write as lists (a primary key set on
some and not on others), it is bulk_create.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

# stored as the attribute holds it (psycopg adapts the Python value, Django adds nothing on PostgreSQL)
_AS_IS = (models.IntegerField, models.BooleanField, models.FloatField)
_TEXT = (models.CharField, models.TextField)  # URLField and the other text fields are CharFields


def instances_insert(
    objects: Sequence[M], *, ignore_conflicts: bool = False, ids_read: bool = True,
) -> list[M]:
    """Insert new instances of one model; with an automatic primary key not set, read their ids back into them
    (unless `ids_read` is False, or conflicts are ignored: bulk_create reads none then either). Returns the list."""
    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    pk_set = [obj.pk is not None for obj in objects]
    with_pk = pk_set[0]
    returning = not with_pk and ids_read and not ignore_conflicts
    vendor = connection.vendor
    if len(set(pk_set)) > 1 or vendor not in ("postgresql", "sqlite"):
        return model._default_manager.bulk_create(objects, ignore_conflicts=ignore_conflicts)
    sql, fields = _insert_sql(model, connection.alias, with_pk, ignore_conflicts, returning)
    columns = [_column(field, objects, connection) for field in fields]
    with connection.cursor() as cursor:
        if vendor == "sqlite" and returning:
            ids = _sqlite_rows_returning(cursor, sql, connection, list(zip(*columns, strict=True)))
        elif vendor == "sqlite":
            cursor.executemany(sql, list(zip(*columns, strict=True)))
        else:
            cursor.execute(sql, columns)
            ids = [value for (value,) in cursor.fetchall()] if returning else []
        if returning:
            pk = model._meta.pk.attname
            for obj, value in zip(objects, ids, strict=True):
                setattr(obj, pk, value)
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias
    return objects


@cache
def _insert_sql(
    model: type[models.Model], alias: str, with_pk: bool, ignore_conflicts: bool, returning: bool,
) -> tuple[str, list[models.Field]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(field.column)) for field in fields)}) "
    if connection.vendor == "sqlite":
        sql = head + f"VALUES ({', '.join(['%s'] * len(fields))})"
    else:
        # the type without its length (varchar[], not varchar(500)[]): a cast that would cut a value must not happen
        casts = ", ".join(f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field in fields)
        sql = head + f"SELECT * FROM unnest({casts})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(str(meta.pk.column))}"
    return sql, fields


def _sqlite_rows_returning(cursor, sql: str, connection, rows: list[tuple]) -> list[int]:
    """Insert rows with new ids on SQLite (`sql`: the statement of one row, with RETURNING), as many per statement as
    its limit of bound values lets, and return the ids in the rows' order. SQLite gives each new row the next id, in
    the order of the VALUES, but does not promise the order RETURNING reports them in: sorted, they are the rows'
    ids in order."""
    per = max(1, connection.features.max_query_params // len(rows[0]))
    ids: list[int] = []
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        cursor.execute(_rows_sql(sql, len(chunk)), [v for row in chunk for v in row])
        ids += sorted(value for (value,) in cursor.fetchall())
    return ids


@cache
def _rows_sql(sql: str, count: int) -> str:
    """The one-row statement `INSERT … VALUES (…) RETURNING …` with `count` rows."""
    head, _, rest = sql.partition("VALUES ")
    row, _, returning = rest.partition(" RETURNING ")
    return f"{head}VALUES {', '.join([row] * count)} RETURNING {returning}"


def _column(field: models.Field, objects: list, connection) -> list[Any]:
    """One column's values for the insert."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = field.pre_save(objects[0], True)  # one moment for the batch, set on every instance
        for obj in objects[1:]:
            setattr(obj, field.attname, now)
        return [_datetime(now, field, connection)] * len(objects)
    if isinstance(field, models.FileField):  # a name given as text is stored as it is; a file is saved first
        return [_file_name(obj, field, connection) for obj in objects]
    if isinstance(field, _TEXT):
        return [_text(obj.__dict__[field.attname], field, connection) for obj in objects]
    if isinstance(field, models.ForeignKey):
        return [_foreign_key(obj, field) for obj in objects]
    if isinstance(field, models.DateTimeField):
        return [_datetime(obj.__dict__[field.attname], field, connection) for obj in objects]
    if isinstance(field, _AS_IS):
        return [obj.__dict__[field.attname] for obj in objects]
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objects]


def _text(value: Any, field: models.Field, connection) -> Any:
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):  # an enumeration's member (TextChoices), a SafeString: its plain string
        return str.__str__(value)
    return field.get_db_prep_save(value, connection)


def _file_name(obj: models.Model, field: models.Field, connection) -> Any:
    value = obj.__dict__[field.attname]
    if type(value) is str:
        return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def _foreign_key(obj: models.Model, field: models.ForeignKey) -> Any:
    """The id, or the id of the related instance assigned before it was saved (as bulk_create takes it)."""
    value = obj.__dict__[field.attname]
    if value is None and field.is_cached(obj):
        related = field.get_cached_value(obj)
        if related is not None:
            if related.pk is None:
                raise ValueError(f"{field.name} of a {type(obj).__name__} to insert is not saved yet")
            value = related.pk
            setattr(obj, field.attname, value)
    return value


def _datetime(value: Any, field: models.Field, connection) -> Any:
    """An aware datetime as it is (on SQLite, as the text Django stores it as); a naive one made aware by the field,
    as Django does."""
    if value is None:
        return value
    if getattr(value, "tzinfo", None) is not None:
        return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)
    return field.get_db_prep_save(value, connection)
