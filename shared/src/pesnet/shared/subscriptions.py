"""A service's subscription table: every event it consumes, and the use case that
handles it (`Subscriptions`, rows made with `on(...)`). The consumer (`messaging`)
runs a row's use case in the inbox transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from pesnet.shared.catalog import EventPayload
from pesnet.shared.envelope import CloudEvent
from pesnet.shared.tracing import use_case_span
from pesnet.shared.unit_of_work import UnitOfWork

P = TypeVar("P", bound=EventPayload)
C = TypeVar("C")


class Unprocessable(Exception):
    """An event that can never be handled (dead-lettered at once)."""


UseCase = Callable[[Any, Any], Awaitable[object]]
# a look before the inbox transaction, on a unit of work of its own: whether anything
# wants the event at all (False: its inbox record alone, without a transaction)
Wanted = Callable[[CloudEvent, Any], Awaitable[bool]]
# what the use case is given for an event: a command made of the payload and its envelope
CommandOf = Callable[[Any, CloudEvent], Any]


@dataclass(frozen=True)
class Subscription:
    """One row of a service's subscription table: the events of `payloads` go to
    `use_case(message, uow)`, where the message is the payload itself, or
    `command(payload, envelope)` for a use case that takes a command of its own.
    `by_subject`: the use case needs only its own subject's earlier events handled
    (not other subjects'), so events about different subjects may run side by side.
    `wanted`: for a use case that most events leave with nothing to do (the webhook
    fan-out without a partner subscribed), a read before the transaction that says so;
    such an event costs that read and its inbox record, written without a transaction
    (there is no effect to commit with it)."""

    payloads: tuple[type[EventPayload], ...]
    use_case: UseCase
    command: CommandOf | None = None
    by_subject: bool = False
    wanted: Wanted | None = None


@overload
def on(
    payloads: type[P] | tuple[type[P], ...],
    use_case: Callable[[P, Any], Awaitable[object]],
    *,
    by_subject: bool = False,
    wanted: Wanted | None = None,
) -> Subscription: ...


@overload
def on(
    payloads: type[P] | tuple[type[P], ...],
    use_case: Callable[[C, Any], Awaitable[object]],
    *,
    command: Callable[[P, CloudEvent], C],
    by_subject: bool = False,
    wanted: Wanted | None = None,
) -> Subscription: ...


def on(
    payloads: type[P] | tuple[type[P], ...],
    use_case: Callable[[Any, Any], Awaitable[object]],
    *,
    command: Callable[[P, CloudEvent], Any] | None = None,
    by_subject: bool = False,
    wanted: Wanted | None = None,
) -> Subscription:
    """A row of a subscription table: `on(MeetingScheduled, plans.record_meeting)`."""
    classes = payloads if isinstance(payloads, tuple) else (payloads,)
    if not classes:
        raise ValueError("a subscription names at least one payload class")
    return Subscription(classes, use_case, command, by_subject, wanted)


class Subscriptions:
    """A service's subscription table, payload class → use case: every event the
    service consumes and what it does with it, in one place (`entrypoints/messaging.py`).

    `unprocessable`: the errors of the service's use cases that say an event can never
    be handled (a refused value, a template's missing data); such an event is
    dead-lettered at once with the error as its reason, instead of being retried."""

    def __init__(
        self, *rows: Subscription, unprocessable: tuple[type[Exception], ...] = ()
    ) -> None:
        self.rows = rows
        self.unprocessable = unprocessable

    @property
    def payloads(self) -> list[type[EventPayload]]:
        return [payload for row in self.rows for payload in row.payloads]

    def row_for(self, payload: type[EventPayload]) -> Subscription:
        for row in self.rows:
            if payload in row.payloads:
                return row
        raise LookupError(f"no subscription for {payload.__name__}")

    async def handle(self, payload: EventPayload, uow: UnitOfWork, envelope: CloudEvent) -> None:
        """Run the use case of `payload`'s row on it (a refusal the table names as
        unprocessable becomes `Unprocessable`). The consumer calls it in the inbox
        transaction; a unit test on a fake unit of work."""
        row = self.row_for(type(payload))
        try:
            message = row.command(payload, envelope) if row.command else payload
            with use_case_span(row.use_case):
                await row.use_case(message, uow)
        except self.unprocessable as exc:
            raise Unprocessable(str(exc)) from exc
