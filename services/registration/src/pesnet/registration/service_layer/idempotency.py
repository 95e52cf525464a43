"""`Idempotency-Key`: a retried request gets the first answer instead of acting twice.

A kept answer belongs to whoever asked: the record's scope names the action, what it
acts on and the requester (an account, a focal-point token, a registrant's manage
token, the shared secretariat token; an anonymous caller by its own proof, a digest
of its client address). The same key replayed by anyone else is a new request, which
the use case authorizes as any other (a 403, a 409), never the stored answer."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from pesnet.registration.domain.outcomes import Outcome
from pesnet.registration.service_layer.unit_of_work import RegistrationUnitOfWork, Replay
from pesnet.shared.credentials import Actor
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.translation import _

OutcomeT = TypeVar("OutcomeT", bound=Outcome)
U = RegistrationUnitOfWork

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def requester(actor: Actor, proof: str | None = None) -> str | None:
    """Who asks, as an idempotency record's scope names them: the credential's holder,
    or an anonymous caller's `proof` (None: an anonymous caller without one, whose
    key cannot be kept safely)."""
    if not actor.is_anonymous:
        return actor.audit_id
    if not proof:
        return None
    return "anonymous:" + hashlib.sha256(proof.encode()).hexdigest()[:32]


async def once(
    uow: U,
    key: str | None,
    scope: str,
    request: Any,
    work: Callable[[U], Awaitable[OutcomeT]],
    *,
    who: str | None,
) -> OutcomeT:
    """Run `work` in a transaction; with an `Idempotency-Key`, its outcome is kept in
    the same transaction and a retry by the same requester (`who`, see `requester`)
    with the same key and request gets it back instead of acting twice (another
    request with that key is refused). Without a requester the key is not kept."""
    if key is None:
        return await uow.run(work)
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(
            _("must be 1 to 200 printable ASCII characters"), field="Idempotency-Key"
        )
    if who is None:
        return await uow.run(work)
    record_id = f"{scope}|{who}|{key}"
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
