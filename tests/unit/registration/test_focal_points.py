"""National focal points and the tokens this service issued, on the in-memory unit of work."""

from __future__ import annotations

import pytest

from pesnet.registration.domain.commands import (
    NominateFocalPoint,
    Register,
)
from pesnet.registration.service_layer import (
    focal_points,
    registering,
)
from pesnet.shared.credentials import (
    ANONYMOUS,
    Actor,
    ActorKind,
    StaffRole,
    TokenPrefix,
    hash_secret_token,
)
from pesnet.shared.errors import NotFound
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import (
    URL,
    details,
)


async def test_focal_point_tokens_are_issued_resolved_and_revoked() -> None:
    uow = FakeRegistrationUnitOfWork()
    tokens = focal_points.RegistrationTokens(lambda: uow)
    focal_point, token = await focal_points.issue_focal_point(
        NominateFocalPoint(country="MAR", name="ANAPEC"), uow
    )
    assert token.startswith("fp_")
    actor = await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token))
    assert actor == Actor(
        ActorKind.focal_point,
        country="MAR",
        focal_point_id=focal_point.id,
        roles=frozenset({StaffRole.focal_point}),
    )
    assert [f.id for f in await focal_points.focal_points("MAR", uow)] == [focal_point.id]
    assert await focal_points.focal_points("TUR", uow) == []
    await focal_points.revoke_focal_point(focal_point.id, uow)
    assert await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token)) is None
    with pytest.raises(NotFound):
        await focal_points.revoke_focal_point(focal_point.id, uow)


async def test_a_manage_token_stands_for_its_registrant(uow: FakeRegistrationUnitOfWork) -> None:
    outcome = await registering.register(Register("m1", details(1), ANONYMOUS), uow, public_url=URL)
    tokens = focal_points.RegistrationTokens(lambda: uow)
    actor = await tokens.actor_for(TokenPrefix.manage, hash_secret_token(outcome.manage_token))
    assert actor == Actor(ActorKind.registrant, registration_id=outcome.registration.id)
    assert await tokens.actor_for(TokenPrefix.manage, hash_secret_token("mt_unknown")) is None
