"""A disabled account's access tokens stop working everywhere within seconds, not at
their expiry: identity announces the change (`identity.account.disabled`), every
service keeps the disabled accounts from that event and refuses their tokens; enabled
again, they work again. The five services run in process on the real broker and
database, the others trusting identity's published keys."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.integration.network.conftest import staff_account
from tests.support import eventually

pytestmark = pytest.mark.integration


async def test_a_disabled_accounts_tokens_are_refused_everywhere_within_seconds(
    network: dict[str, httpx.AsyncClient],
) -> None:
    identity = network["identity"]
    officer = await staff_account(identity, "leila", ["administrator"])
    token, admin_headers = officer.headers, officer.admin_headers

    async def answers() -> dict[str, int]:
        # the audit trail: every service's, the administrator's only
        return {name: (await http.get("/audit", headers=token)).status_code
                for name, http in network.items()}  # fmt: skip

    assert set((await answers()).values()) == {200}

    disabled = await identity.post(f"/accounts/{officer.id}/disable", headers=admin_headers)
    assert disabled.status_code == 200, disabled.text
    started = time.monotonic()

    async def refused_everywhere() -> bool:
        return set((await answers()).values()) == {401}

    await eventually(refused_everywhere, within=15)
    print(f"disabled account refused by all five services after {time.monotonic() - started:.1f} s")

    enabled = await identity.post(f"/accounts/{officer.id}/enable", headers=admin_headers)
    assert enabled.status_code == 200

    async def accepted_again() -> bool:
        return set((await answers()).values()) == {200}

    await eventually(accepted_again, within=15)
