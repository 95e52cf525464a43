"""Aggregates record the events of what happened to them (pure: a domain may use it).

An entity with behaviour (`Registration`, `Meeting`, ...) says what happened to it with
`self.record(Payload(...), subject=...)` in the method that made it happen, so the
state change and its event are decided in one place. It does not publish anything:
the unit of work collects the recorded events of every aggregate its repositories
handed out or were given (cosmicpython's `collect_new_events`) and writes them to the
outbox, and one audit entry per event, in the transaction that saves the change.

Recorded events keep the order in which they were recorded, across aggregates (a
withdrawal, the promotion it causes, then the delegation's new counts): each record
takes the next number of one process-wide sequence.

An event stays pending until the transaction that wrote it has committed (`commit_events`):
a transaction that is retried, or fails, writes the same pending events again or
not at all."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from pesnet.shared.catalog import EventPayload

_sequence = itertools.count(1)


def next_sequence() -> int:
    """The place of an event among all the events this process records or emits."""
    return next(_sequence)


@dataclass(frozen=True)
class Recorded:
    """An event an aggregate recorded: the payload, what it is about (the CloudEvent
    `subject`) and its place in the order events were recorded."""

    payload: EventPayload
    subject: str | None
    sequence: int


class Aggregate:
    """Base of an entity that records its events. Not a dataclass field: the events are
    not the entity's state (they are not stored with it, compared or copied into a new
    one), so dataclasses that derive from it keep their fields, equality and `replace`."""

    def record(self, payload: EventPayload, *, subject: str | None = None) -> None:
        """`payload` happened to this aggregate (written when the unit of work commits)."""
        self.__dict__.setdefault("_recorded", []).append(
            Recorded(payload, subject, next_sequence())
        )

    @property
    def recorded_events(self) -> list[Recorded]:
        """What it recorded since its events were last committed, oldest first."""
        found: list[Recorded] = self.__dict__.get("_recorded", [])
        return list(found)

    def commit_events(self) -> None:
        """Its recorded events were committed: none is pending any more."""
        self.__dict__.pop("_recorded", None)

    def __getstate__(self) -> dict[str, object]:
        # a copy (an in-memory repository's, a rollback's) is the state, without events
        state = dict(self.__dict__)
        state.pop("_recorded", None)
        return state


class Repository:
    """Base of a repository of aggregates: `saw` what it loads, adds or saves, so that the
    unit of work collects their recorded events."""

    @property
    def seen(self) -> list[Aggregate]:
        found: list[Aggregate] = self.__dict__.setdefault("_seen", [])
        return found

    def forget_seen(self) -> None:
        self.__dict__.pop("_seen", None)

    def saw(self, *aggregates: Aggregate | None) -> None:
        for aggregate in aggregates:
            if aggregate is not None and not any(aggregate is s for s in self.seen):
                self.seen.append(aggregate)


__all__ = ["Aggregate", "Recorded", "Repository", "next_sequence"]
