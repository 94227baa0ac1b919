"""State graphs of the long-lived protocol rows (Follow, Delivery, InboxItem): the moves a row may make, declared
once as data. A move not declared is a bug and raises; every declared move is written by one guarded UPDATE on the
state the row leaves, so of two workers moving the same row only one writes (the other's count is 0)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet


class TransitionRefused(ValueError):
    """A move the graph does not declare."""


class StateGraph:
    """The moves (source, to) of one model's state field."""

    def __init__(self, name: str, moves: Iterable[tuple[str, str]]) -> None:
        self.name = name
        self.moves = frozenset((str(source), str(to)) for source, to in moves)

    def allows(self, source: str, to: str) -> bool:
        return (source, to) in self.moves

    def check(self, source: str, to: str) -> None:
        """Raise TransitionRefused unless the graph declares the move."""
        if (source, to) not in self.moves:
            raise TransitionRefused(f"A {self.name} cannot go from {source} to {to}.")

    def move(self, rows: QuerySet, *, source: str, to: str, **values: Any) -> int:
        """Move the rows of a QuerySet (narrowed by the caller to an id, and a lease where there is one) that are
        still in `source`: one UPDATE … WHERE state = source. Returns how many moved; fewer than asked means
        another worker moved them first, which the caller must handle."""
        self.check(source, to)
        return rows.filter(state=source).update(state=to, **values)
