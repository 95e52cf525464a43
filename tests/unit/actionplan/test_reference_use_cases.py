"""Registration's reference and nominations in the action plan, through the use cases
on the in-memory unit of work: the newest version of an institution wins whatever the
order of the events; a nominated focal point acts with registration's token until the
nomination is withdrawn (even when the withdrawal arrives first); the officer's
override names an interim focal point for an institution of the reference only; an
activity is led by institutions of the reference only; a national focal point's account
reports for its institution, and the review goes to the institution's nomination."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pesnet.actionplan.domain.activities import Participation
from pesnet.actionplan.domain.commands import (
    AddActivity,
    RecordInstitution,
    RecordNomination,
    RecordWithdrawal,
    RegisterFocalPoint,
    ReportProgress,
    SubmitNeed,
)
from pesnet.actionplan.service_layer import activities, cooperation, focal_points, institutions
from pesnet.shared.credentials import (
    StaffRole,
    TokenPrefix,
    account_actor,
    hash_secret_token,
    new_secret_token,
)
from pesnet.shared.errors import Forbidden, InvalidInput
from pesnet.shared.i18n import Language, Localized
from tests.unit.actionplan.fakes import FakeActionPlanUnitOfWork
from tests.unit.actionplan.scenario import PERIOD, adopted_plan, clock, draft_plan, text

AT = datetime(2024, 3, 1, tzinfo=UTC)


def iskur(version: int, en: str = "Turkish Employment Agency") -> RecordInstitution:
    return RecordInstitution(
        institution_id="iskur",
        name=Localized(ar="وكالة التوظيف التركية", en=en, fr="Agence turque pour l'emploi"),
        acronym="İŞKUR",
        country="TUR",
        version=version,
    )


def nomination(
    token: str, version: int = 1, institution: str | None = "anapec", **changes: object
) -> RecordNomination:
    values: dict[str, object] = {
        "focal_point_id": "f1",
        "country": "MAR",
        "institution": institution,
        "name": "Karim Alaoui",
        "email": "k.alaoui@anapec.example.ma",
        "language": Language.fr,
        "token_digest": hash_secret_token(token),
        "nominated_at": AT,
        "version": version,
        **changes,
    }
    return RecordNomination(**values)  # type: ignore[arg-type]


def withdrawal(version: int = 2) -> RecordWithdrawal:
    return RecordWithdrawal(
        focal_point_id="f1", country="MAR", institution="anapec", withdrawn_at=AT, version=version
    )


# the reference


async def test_the_newest_version_of_an_institution_wins_whatever_the_order() -> None:
    uow = FakeActionPlanUnitOfWork()
    assert await institutions.record_institution(iskur(3, en="Türkiye Employment Agency"), uow)
    assert not await institutions.record_institution(iskur(2), uow)  # late, older
    assert not await institutions.record_institution(iskur(3), uow)  # the same again
    kept = await uow.institutions.get("iskur")
    assert kept is not None
    assert (kept.version, kept.label("en")) == (3, "Türkiye Employment Agency (İŞKUR)")
    assert kept.label("ar") == "وكالة التوظيف التركية"
    assert "iskur" in {i.id for i in await institutions.list_institutions(uow)}


async def test_an_activity_is_led_by_institutions_of_the_reference_only() -> None:
    uow = FakeActionPlanUnitOfWork()
    await draft_plan(uow)
    command = AddActivity(
        period=PERIOD,
        thematic_area="digital",
        activity_type="workshop",
        title=text("Workshop"),
        lead_institutions=["anapec", "anem"],
    )
    with pytest.raises(InvalidInput) as refused:
        await activities.add_activity(command, uow, clock=clock)
    assert (refused.value.field, refused.value.params) == (
        "lead_institutions.1",
        {"institution_id": "anem"},
    )
    hosted = AddActivity(
        period=PERIOD,
        thematic_area="digital",
        activity_type="workshop",
        title=text("Workshop"),
        lead_institutions=["anapec"],
        participants=[Participation(institution="nope", role="host")],
    )
    with pytest.raises(InvalidInput) as refused:
        await activities.add_activity(hosted, uow, clock=clock)
    assert refused.value.field == "participants.0.institution"
    # once registration announces it, it may lead
    await institutions.record_institution(
        RecordInstitution("anem", Localized(ar="أنيم", en="ANEM", fr="ANEM"), 1, country="DZA"),
        uow,
    )
    created = await activities.add_activity(command, uow, clock=clock)
    assert created.lead_institutions == ["anapec", "anem"]


# nominations


async def test_a_nominated_focal_point_acts_with_registrations_token_until_withdrawn() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    token = new_secret_token(TokenPrefix.focal_point)
    assert await focal_points.record_nomination(nomination(token), uow)
    assert not await focal_points.record_nomination(nomination(token), uow)  # redelivered
    tokens = focal_points.FocalPointTokens(lambda: uow)
    actor = await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token))
    assert actor is not None
    assert (actor.institution, actor.country, actor.focal_point_id) == ("anapec", "MAR", "f1")

    # it reports on what ANAPEC leads, and the review will reach the nominated person
    report = await activities.report_progress(
        ReportProgress(PERIOD, actor, indicator_id, "2024", 12), uow, clock=clock
    )
    assert (report.institution, report.reporter.email) == ("anapec", "k.alaoui@anapec.example.ma")
    listed = await focal_points.list_focal_points(uow)
    [kept] = listed.found
    assert (kept.source, kept.active) == ("nomination", True)

    assert await focal_points.record_withdrawal(withdrawal(), uow)
    assert await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token)) is None
    gone = await uow.focal_points.get("f1")
    assert gone is not None
    assert (gone.active, gone.name, gone.email) == (False, None, None)  # let go
    assert await focal_points.contacts_of(uow, ["anapec"]) == {"anapec": []}


async def test_a_withdrawal_that_overtakes_its_nomination_keeps_the_token_out() -> None:
    uow = FakeActionPlanUnitOfWork()
    token = new_secret_token(TokenPrefix.focal_point)
    assert await focal_points.record_withdrawal(withdrawal(), uow)
    assert not await focal_points.record_nomination(nomination(token), uow)  # older: ignored
    tokens = focal_points.FocalPointTokens(lambda: uow)
    assert await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token)) is None
    # a later nomination of the same person is a new nomination (a new id)
    assert await focal_points.record_nomination(nomination(token, focal_point_id="f2"), uow)
    assert await tokens.actor_for(TokenPrefix.focal_point, hash_secret_token(token)) is not None


async def test_a_countrys_focal_point_without_an_institution_acts_for_none_here() -> None:
    uow = FakeActionPlanUnitOfWork()
    await adopted_plan(uow)
    token = new_secret_token(TokenPrefix.focal_point)
    await focal_points.record_nomination(
        nomination(token, institution=None, name=None, email=None), uow
    )
    actor = await focal_points.FocalPointTokens(lambda: uow).actor_for(
        TokenPrefix.focal_point, hash_secret_token(token)
    )
    assert actor is not None
    need = SubmitNeed(PERIOD, actor, "digital", "high", text("Job matching"))
    with pytest.raises(Forbidden):
        await cooperation.submit_need(need, uow, clock=clock)


# the officer's override


async def test_the_override_names_a_focal_point_of_an_institution_of_the_reference() -> None:
    uow = FakeActionPlanUnitOfWork()
    unknown = RegisterFocalPoint(institution="anem", name="N", email="n@example.org")
    with pytest.raises(InvalidInput) as refused:
        await focal_points.register_focal_point(unknown, uow, clock=clock)
    assert refused.value.field == "institution"
    foreign = RegisterFocalPoint(
        institution="iskur", name="N", email="n@example.org", country="MAR"
    )
    with pytest.raises(InvalidInput) as refused:
        await focal_points.register_focal_point(foreign, uow, clock=clock)
    assert refused.value.field == "country"
    issued = await focal_points.register_focal_point(
        RegisterFocalPoint(institution="iskur", name="N", email="n@example.org"), uow, clock=clock
    )
    assert (issued.focal_point.country, issued.focal_point.source) == ("TUR", "override")


# a national focal point's account


async def test_a_focal_points_account_reports_and_the_review_goes_to_the_nomination() -> None:
    uow = FakeActionPlanUnitOfWork()
    _, indicator_id = await adopted_plan(uow)
    account = account_actor(
        "acc_karim",
        "karim",
        frozenset({StaffRole.focal_point}),
        country="MAR",
        institution="anapec",
    )
    report = ReportProgress(PERIOD, account, indicator_id, "2024", 7)
    with pytest.raises(Forbidden):  # no focal point nominated for ANAPEC: no one to tell
        await activities.report_progress(report, uow, clock=clock)
    await focal_points.record_nomination(nomination(new_secret_token(TokenPrefix.focal_point)), uow)
    filed = await activities.report_progress(report, uow, clock=clock)
    assert (filed.institution, filed.reporter.email) == ("anapec", "k.alaoui@anapec.example.ma")

    # an account of Morocco claiming ISKUR (of Türkiye) is refused
    claiming = account_actor(
        "acc_x", "x", frozenset({StaffRole.focal_point}), country="MAR", institution="iskur"
    )
    with pytest.raises(Forbidden):
        await activities.report_progress(
            ReportProgress(PERIOD, claiming, indicator_id, "2024", 7), uow, clock=clock
        )
