"""Read queries of a fixed shape, compiled once per process: the ORM's SQL kept, new values put in per run.

Django compiles a QuerySet to SQL on every evaluation; for the site's post lists (the filters, the reply-count and
hidden-server subqueries) that compiling cost more CPU than running the query and rendering the page. A
`PreparedQuery` builds its QuerySet once per database alias with a marker in place of each value that changes
(`build(author=<marker>)`; one marker may be used in several places), keeps the SQL and the parameters the compiler
made, and per run swaps the markers for the values and runs the SQL on the thread's own connection. Rows come back
through the compiler's converters, exactly as `values_list()` gives them (datetimes, JSON, booleans on SQLite).

What the SQL holds is fixed at build time: the build must read nothing from the database or the clock (a date
compared with "now" must be a marked value), and the LIMIT of a slice is part of the shape. A list of values
(`id__in`) is marked with as many markers as the longest list; shorter lists are padded with their own last
value, which an IN does not mind. Only comparisons that pass the value as it is can be marked (=, <, >, IN, on
numbers or text); lookups that rewrite it (iexact, contains, startswith) cannot. A date column is compared with
`Value(marker)` (a field would refuse the integer) and given its value in the database's own form
(`db_datetime()`).
"""

import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet


def bigint_array(numbers) -> str:
    """PostgreSQL's text form of an array of integers, for a parameter cast with ::bigint[]: one parameter type
    whatever the values (psycopg types a list by its largest element, int2[] to numeric[], and each type is a
    statement prepared anew), built by one join (docs/benchmarks.md, session 19). int() lets nothing else into the
    literal."""
    return "{" + ",".join(map(str, map(int, numbers))) + "}"


def db_datetime(moment: datetime, using: str = "default") -> Any:
    """A datetime as the database stores it (SQLite: naive UTC text), for a date compared with a marked value."""
    return connections[using].ops.adapt_datetimefield_value(moment)


# Markers are integers no table of ours holds (ids are positive, counts small): -2**62 and down from there.
_MARKER_BASE = -(2**62)


class PreparedQuery:
    """`build(**markers)` returns a values_list() QuerySet; `rows(**values)` runs its kept SQL with the values."""

    def __init__(self, build: Callable[..., QuerySet], *, names: Sequence[str] = (),
                 lists: dict[str, int] | None = None, using: str = "default"):
        self.build = build
        self.using = using
        self.names = tuple(names)
        self.lists = dict(lists or {})
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _markers(self) -> tuple[dict[str, Any], dict[int, tuple[str, int | None]]]:
        values: dict[str, Any] = {}
        meaning: dict[int, tuple[str, int | None]] = {}
        marker = _MARKER_BASE
        for name in self.names:
            values[name] = marker
            meaning[marker] = (name, None)
            marker -= 1
        for name, length in self.lists.items():
            values[name] = []
            for index in range(length):
                values[name].append(marker)
                meaning[marker] = (name, index)
                marker -= 1
        return values, meaning

    def _compile(self, alias: str) -> tuple:
        markers, meaning = self._markers()
        queryset = self.build(**markers)
        if queryset._iterable_class.__name__ != "ValuesListIterable":
            raise TypeError("a prepared query is a values_list() QuerySet")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots, found = [], set()
        for position, param in enumerate(params):
            # a text column's lookup gets the marker as a string
            marker = int(param) if isinstance(param, str) and param.lstrip("-").isdigit() else param
            if isinstance(marker, int) and marker in meaning:
                slots.append((position, *meaning[marker]))  # one value may stand in several places
                found.add(marker)
        missing = {meaning[marker][0] for marker in meaning.keys() - found}
        if missing:
            raise ValueError(f"markers the compiled SQL does not hold: {sorted(missing)}")
        if connections[alias].vendor == "postgresql":
            sql, params, slots = _constants_written_in(sql, params, slots, connections[alias])
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return sql, tuple(params), tuple(slots), compiler, converters

    def compiled(self, alias: str = "default") -> tuple:
        found = self._compiled.get(alias)
        if found is None:
            with self._lock:
                found = self._compiled.get(alias)
                if found is None:
                    found = self._compiled[alias] = self._compile(alias)
        return found

    def sql(self, alias: str = "default") -> str:
        return self.compiled(alias)[0]

    def rows(self, **values: Any) -> list[tuple]:
        using = self.using
        sql, kept, slots, compiler, converters = self.compiled(using)
        params = list(kept)
        for position, name, index in slots:
            value = values[name]
            if index is not None:
                if not value:
                    raise ValueError(f"{name}: an empty list (the caller answers that without a query)")
                if len(value) > self.lists[name]:
                    raise ValueError(f"{name}: more than {self.lists[name]} values")
                value = value[min(index, len(value) - 1)]
            params[position] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if converters:
            return [tuple(row) for row in compiler.apply_converters(fetched, converters)]
        return [tuple(row) for row in fetched]


def _constants_written_in(sql: str, params, slots: list, connection) -> tuple[str, list, list]:
    """The SQL with the query's constants (a visibility, a type, an empty reply-to) written in as literals and only
    the marked values left as parameters. PostgreSQL plans a statement prepared on its fifth run once for all later
    values (its generic plan); with every constant a parameter too, that plan cannot tell how many rows the constants
    keep, guesses one, and sorted every post of the feed below a page to return twenty (docs/architecture.md)."""
    from psycopg import sql as psycopg_sql  # PostgreSQL's driver: only where PostgreSQL is configured

    connection.ensure_connection()
    marked = {position for position, _name, _index in slots}
    pieces = re.split(r"(%%|%s)", sql)
    written: list[str] = []
    kept: list[Any] = []
    moved: dict[int, int] = {}
    position = 0
    raw = connection.connection
    for piece in pieces:
        if piece != "%s":
            written.append(piece)
            continue
        if position in marked:
            moved[position] = len(kept)
            kept.append(params[position])
            written.append("%s")
        else:
            written.append(psycopg_sql.Literal(params[position]).as_string(raw).replace("%", "%%"))
        position += 1
    if position != len(params):
        raise ValueError("the compiled SQL's placeholders do not match its parameters")
    return "".join(written), kept, [(moved[position], name, index) for position, name, index in slots]
