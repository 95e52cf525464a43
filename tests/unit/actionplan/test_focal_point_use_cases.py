"""Focal points through their use cases: a token is issued once, stands for its
institution until revoked, and only its digest is kept."""

from __future__ import annotations

import pytest

from pesnet.actionplan.domain.commands import RegisterFocalPoint, RevokeFocalPoint
from pesnet.actionplan.service_layer import focal_points
from pesnet.shared.credentials import ActorKind, TokenPrefix, hash_secret_token, prefix_of
from pesnet.shared.errors import NotFound
from pesnet.shared.i18n import Language
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork
from tests.unit.actionplan.scenario import clock, focal_point

REGISTER = RegisterFocalPoint(
    institution="anapec",
    country="MAR",
    name="NFP ANAPEC",
    email="nfp@anapec.example",
    language=Language.fr,
)


async def test_a_focal_point_token_is_shown_once_and_kept_as_a_digest() -> None:
    uow = FakeActionPlanUnitOfWork()
    issued = await focal_points.register_focal_point(REGISTER, uow, clock=clock)
    assert prefix_of(issued.token) is TokenPrefix.focal_point
    stored = await uow.focal_points.get(issued.focal_point.id)
    assert stored is not None
    assert stored.token_hash == hash_secret_token(issued.token)
    assert issued.token not in repr(stored)
    assert stored.contact is not None
    assert (stored.institution, stored.contact.language) == ("anapec", Language.fr)


async def test_a_token_stands_for_its_institution_until_revoked() -> None:
    uow = FakeActionPlanUnitOfWork()
    issued = await focal_points.register_focal_point(REGISTER, uow, clock=clock)
    tokens = focal_points.FocalPointTokens(lambda: uow)
    digest = hash_secret_token(issued.token)
    actor = await tokens.actor_for(TokenPrefix.focal_point, digest)
    assert actor is not None
    assert (actor.kind, actor.institution, actor.country, actor.focal_point_id) == (
        ActorKind.focal_point,
        "anapec",
        "MAR",
        issued.focal_point.id,
    )
    assert await tokens.actor_for(TokenPrefix.manage, digest) is None  # not issued here
    assert await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token("fp_forged")) is None

    await focal_points.revoke_focal_point(RevokeFocalPoint(issued.focal_point.id), uow)
    assert await tokens.actor_for(TokenPrefix.focal_point, digest) is None
    # revoking again is harmless
    await focal_points.revoke_focal_point(RevokeFocalPoint(issued.focal_point.id), uow)


async def test_revoking_an_unknown_focal_point_is_not_found() -> None:
    uow = FakeActionPlanUnitOfWork()
    with pytest.raises(NotFound):
        await focal_points.revoke_focal_point(RevokeFocalPoint("fp-unknown"), uow)


async def test_an_institution_s_contacts_are_its_active_focal_points() -> None:
    uow = FakeActionPlanUnitOfWork()
    first = await focal_point(uow, "anapec")
    await focal_point(uow, "anapec", language=Language.ar)
    assert first.focal_point_id is not None
    await focal_points.revoke_focal_point(RevokeFocalPoint(first.focal_point_id), uow)
    contacts = await focal_points.contacts_of(uow, ["anapec", "iskur"])
    assert {k: [c.language for c in v] for k, v in contacts.items()} == {
        "anapec": [Language.ar],
        "iskur": [],
    }
