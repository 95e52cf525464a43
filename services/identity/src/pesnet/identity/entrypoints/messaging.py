"""What identity consumes, payload class → use case: nothing yet. Accounts, roles and
signing keys are identity's own facts, learnt from no other service; the table is here
so that the day it consumes an event, it says so where every service says it."""

from __future__ import annotations

from pesnet.shared.messaging import Subscriptions


def subscriptions() -> Subscriptions:
    return Subscriptions()
