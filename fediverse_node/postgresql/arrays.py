"""Python lists as PostgreSQL arrays, without a Python step per element for the lists bulk inserts send most.

Django 5.2 writes a bulk_create on PostgreSQL as `INSERT … SELECT * FROM UNNEST(%s::type[], …)`: one list per
column. psycopg's text dumper goes through a list element by element in Python (the element's dumper, a regular
expression to decide on quotes, often a second one to escape): the inbox workers spent a tenth of their time there,
writing a batch's posts. A list of strings only, or of integers, booleans, floats or datetimes with a time zone
(each kind alone, with or without NULLs), is written here with a few string operations over the whole list (run in
C); every other list (naive datetimes, dates, JSON, enumerations, mixed kinds, nested lists) goes to psycopg's own
dumper, as before.

The text is what PostgreSQL reads as that array: every string in double quotes with its backslashes and double
quotes escaped by a backslash (an array element needs nothing else escaped), integers in decimal, booleans as t and
f, floats as Python's repr (PostgreSQL reads inf, -inf and nan in any case), datetimes in ISO 8601 with their
offset, NULL unquoted: none of these holds a character an array element would have to quote.
"""

from datetime import datetime
from typing import Any

from psycopg.types.array import ListDumper

_NONE = type(None)
_SEPARATOR = "\x00"  # cannot be in a text value PostgreSQL stores: a list that holds it goes to psycopg (its error)


class ListTextDumper(ListDumper):
    """psycopg's text dumper for lists, with whole-list paths for strings and integers."""

    def dump(self, obj: list[Any]):
        text = _array_text(obj, self.delimiter.decode())
        if text is not None and self._encoding() == "utf-8":
            try:
                return text.encode()
            except UnicodeEncodeError:  # a lone surrogate: psycopg's dumper raises its own error for it
                pass
        return super().dump(obj)

    def _encoding(self) -> str:
        connection = self.connection
        return "utf-8" if connection is None else connection.info.encoding


def _array_text(values: list[Any], delimiter: str) -> str | None:
    """The array literal of a list of str; of int, float, bool or aware datetime (one of them, with or without
    None); or of None. None for any other list."""
    kinds = set(map(type, values))
    if not kinds:
        return None
    if kinds == {str}:
        joined = _SEPARATOR.join(values)
        if joined.count(_SEPARATOR) != len(values) - 1:
            return None
        escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
        return '{"' + escaped.replace(_SEPARATOR, f'"{delimiter}"') + '"}'
    if kinds == {_NONE}:
        return "{" + delimiter.join(["NULL"] * len(values)) + "}"
    kinds.discard(_NONE)
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind is int or kind is float:  # not bool: its type is not int
        return "{" + delimiter.join(map(repr, values)).replace("None", "NULL") + "}"
    if kind is bool:
        return "{" + delimiter.join(map(_BOOLEAN.__getitem__, values)) + "}"
    if kind is datetime and all(value is None or value.tzinfo is not None for value in values):
        return "{" + delimiter.join([_NULL if value is None else value.isoformat() for value in values]) + "}"
    return None


_NULL = "NULL"
_BOOLEAN = {True: "t", False: "f", None: _NULL}
