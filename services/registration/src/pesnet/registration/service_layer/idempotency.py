"""`Idempotency-Key` on POSTs: the first result is stored in the transaction of the
work that produced it, and a retry with the same key gets it back instead of
acting twice."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.errors import DuplicateKeyError

from pesnet.registration.service_layer.context import Result, ServiceContext
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.mongo import DbSession, Document

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def idempotent(
    ctx: ServiceContext,
    key: str | None,
    scope: str,
    request: Any,
    work: Callable[[DbSession], Awaitable[Result]],
    *,
    meeting_id: str | None = None,
) -> Result:
    """Run `work` in a transaction; with an `Idempotency-Key`, the first result is
    stored in the same transaction and a retry gets it back instead of acting twice."""
    if key is None:
        return await ctx.transaction(work)
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput("must be 1 to 200 printable ASCII characters", field="Idempotency-Key")
    record_id = f"{scope}|{key}"
    fingerprint = hashlib.sha256(
        json.dumps(request, sort_keys=True, default=str).encode()
    ).hexdigest()

    async def run(session: DbSession) -> Result:
        stored = await ctx.repo.stored_result(record_id, session)
        if stored is not None:
            return _replay(stored, fingerprint)
        outcome = await work(session)
        await ctx.repo.store_result(
            record_id,
            fingerprint=fingerprint,
            status=outcome.status,
            body=outcome.body,
            meeting_id=meeting_id,
            session=session,
        )
        return outcome

    try:
        return await ctx.transaction(run)
    except (DuplicateKeyError, Conflict):
        # A concurrent request with the same key won the race (its idempotency
        # record, or the registration it created, collided with ours): answer
        # with its result.
        stored = await ctx.repo.stored_result(record_id)
        if stored is None:
            raise
        return _replay(stored, fingerprint)


def _replay(stored: Document, fingerprint: str) -> Result:
    if stored.get("fingerprint") != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was already used for a different request",
            field="Idempotency-Key",
        )
    return Result(int(stored["status"]), dict(stored["body"]))
