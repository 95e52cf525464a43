"""`Idempotency-Key`: a retried request gets the first answer instead of acting twice."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from pesnet.registration.domain.outcomes import Outcome
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork, Replay
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.translation import _

OutcomeT = TypeVar("OutcomeT", bound=Outcome)
U = RegistrationUnitOfWork

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def once(
    uow: U, key: str | None, scope: str, request: Any, work: Callable[[U], Awaitable[OutcomeT]]
) -> OutcomeT:
    """Run `work` in a transaction; with an `Idempotency-Key`, its outcome is kept in
    the same transaction and a retry with the same key and request gets it back
    instead of acting twice (another request with that key is refused)."""
    if key is None:
        return await uow.run(work)
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(
            _("must be 1 to 200 printable ASCII characters"), field="Idempotency-Key"
        )
    record_id = f"{scope}|{key}"
    fingerprint = hashlib.sha256(
        json.dumps(request, sort_keys=True, default=str).encode()
    ).hexdigest()

    async def first_or_replay(uow: U) -> OutcomeT:
        kept = await uow.replays.get(record_id)
        if kept is not None:
            return cast(OutcomeT, _replay(kept, fingerprint))
        outcome = await work(uow)
        await uow.replays.add(
            record_id, Replay(fingerprint, outcome), outcome.registration.meeting_id
        )
        return outcome

    try:
        return await uow.run(first_or_replay)
    except Conflict:
        # A concurrent request with the same key won the race (its kept outcome, or
        # the registration it created, collided with ours): answer with its outcome.
        kept = await uow.replays.get(record_id)
        if kept is None:
            raise
        return cast(OutcomeT, _replay(kept, fingerprint))


def _replay(kept: Replay, fingerprint: str) -> Outcome:
    if kept.fingerprint != fingerprint:
        raise InvalidInput(
            _("this Idempotency-Key was already used for a different request"),
            field="Idempotency-Key",
        )
    return kept.outcome
