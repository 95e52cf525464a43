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
from pesnet.shared.manage_links import ManageLinks
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import (
    MANAGE_LINKS,
    URL,
    details,
)


async def test_focal_point_tokens_are_issued_resolved_and_revoked() -> None:
    uow = FakeRegistrationUnitOfWork()
    tokens = focal_points.RegistrationTokens(lambda: uow, MANAGE_LINKS)
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


async def test_a_manage_link_stands_for_its_registrant_until_rotated_or_purged(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await registering.register(Register("m1", details(1), ANONYMOUS), uow, public_url=URL)
    registration = outcome.registration
    tokens = focal_points.RegistrationTokens(lambda: uow, MANAGE_LINKS)
    first = MANAGE_LINKS.token(registration.id, 1)
    me = Actor(ActorKind.registrant, registration_id=registration.id)
    assert await tokens.actor_for_link(first) == me
    # forged, another key's, another registration's
    assert await tokens.actor_for_link(first[:-2] + "xx") is None
    other_key = focal_points.RegistrationTokens(lambda: uow, ManageLinks((b"another key",)))
    assert await other_key.actor_for_link(first) is None
    assert await tokens.actor_for_link(MANAGE_LINKS.token("nobody", 1)) is None
    # rotated: the new link works, the first no longer
    rotated = await registering.rotate_manage_link(registration.id, me, uow)
    assert rotated.manage_link_version == 2
    assert await tokens.actor_for_link(first) is None
    assert await tokens.actor_for_link(MANAGE_LINKS.token(registration.id, 2)) == me


async def test_an_older_random_manage_token_still_stands_for_its_registrant(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await registering.register(Register("m1", details(1), ANONYMOUS), uow, public_url=URL)
    stored = await uow.registrations.get(outcome.registration.id)
    assert stored is not None
    stored.manage_token_hash = hash_secret_token("mt_issued-before")
    await uow.registrations.save(stored)
    tokens = focal_points.RegistrationTokens(lambda: uow, MANAGE_LINKS)
    actor = await tokens.actor_for(TokenPrefix.manage, hash_secret_token("mt_issued-before"))
    assert actor == Actor(ActorKind.registrant, registration_id=stored.id)
    assert await tokens.actor_for(TokenPrefix.manage, hash_secret_token("mt_unknown")) is None
