"""Python lists as PostgreSQL arrays, without a Python step per element for the lists bulk inserts send most.

Django 5.2 writes a bulk_create on PostgreSQL as `INSERT … SELECT * FROM UNNEST(%s::type[], …)`: one list per
column. psycopg's text dumper goes through a list element by element in Python (the element's dumper, a regular
expression to decide on quotes, often a second one to escape): the inbox workers spent a tenth of their time there,
writing a batch's posts. A list of strings only, of integers and NULLs only, or of NULLs only is written here with
a few string operations over the whole list (run in C); every other list (dates, booleans, JSON, enumerations,
nested lists) goes to psycopg's own dumper, as before.

The text is what PostgreSQL reads as that array: every string in double quotes with its backslashes and double
quotes escaped by a backslash (an array element needs nothing else escaped), integers in decimal, NULL unquoted.
"""

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
    """The array literal of a list of str, of int and None, or of None; None for any other list."""
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
    if kinds <= {int, _NONE}:  # not bool: its type is not int, and psycopg writes it as t/f
        return "{" + delimiter.join(map(str, values)).replace("None", "NULL") + "}"
    return None
