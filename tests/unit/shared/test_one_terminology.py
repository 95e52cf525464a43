"""One term has one translation everywhere: a moderator, a national focal point, an
activity's status or a registration's status is said with the same word on the badge,
in the mails, in the programme, in the implementation report, on the pages and in the
API's errors, in Arabic and in French. Each place is rendered as a person sees it; the
word they must all say is the kernel's term."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, get_args

import pytest

from pesnet.actionplan.adapters.report import render_html
from pesnet.actionplan.domain.labels import PLAN_STATUSES
from pesnet.agenda.adapters.render import programme_html
from pesnet.agenda.domain.programme import SessionKind
from pesnet.agenda.domain.release import ProgrammeView
from pesnet.agenda.domain.wording import SESSION_KINDS
from pesnet.agenda.service_layer.seed import seed_meeting, seed_sessions
from pesnet.notifications.domain.notices import Meeting, registration_notice
from pesnet.notifications.templates import render
from pesnet.registration.domain.commands import Confirm
from pesnet.registration.entrypoints.pages import status_text
from pesnet.registration.service_layer import accreditation, check_in
from pesnet.shared.credentials import SECRETARIAT, StaffRole
from pesnet.shared.errors import Conflict, DomainError, Forbidden
from pesnet.shared.events.common import ParticipantStatus, Role
from pesnet.shared.terms import ACTIVITY_STATUSES, PARTICIPANT_STATUSES, ROLES, STAFF_ROLES, listing
from pesnet.shared.translation import translate, translated
from tests.integration.notifications import notifications_factories as f
from tests.unit.actionplan.test_actionplan_plan import adopted_plan
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import BADGES, open_meeting, register
from tests.unit.registration.test_check_in import Renderer

LANGUAGES = ["ar", "fr"]
NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)


async def badge_role(role: str, language: str) -> str:
    """The role the badge of a confirmed participant prints in `language`."""
    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow)
    registration_id = await register(uow, 1, role=role)
    await accreditation.confirm(Confirm(registration_id, SECRETARIAT), uow, badges=BADGES)
    renderer = Renderer()
    await check_in.badge_png(registration_id, SECRETARIAT, uow, badges=BADGES, renderer=renderer)
    printed: str = renderer.fields["role"].get(language)
    return printed


def mail(role: str, language: str, verb: str = "registered", **fields: Any) -> str:
    """The text and HTML of a registration mail to a participant with `role`."""
    meeting = Meeting("pesnet-4", "Africa/Casablanca", title=f.MEETING.title)
    payload = f.participant(verb, language, role=role, **fields)
    notice = registration_notice(payload, meeting, language)  # type: ignore[arg-type]
    rendered = render(notice.kind, language, notice.context, preferences_url="u")
    return rendered.text + rendered.html


def said(error: DomainError, language: str, package: str) -> str:
    """An error's detail as the API answers it in `language` (the kernel's HTTP layer
    translates through the service's catalog, then the kernel's)."""
    return translate(error.message, language, error.params, packages=(package,))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_moderator_is_one_word_on_the_badge_in_the_mail_and_in_the_programme(
    language: str,
) -> None:
    word = ROLES[Role.moderator].get(language)
    assert word == {"ar": "مسيّر الجلسة", "fr": "Modérateur"}[language]

    assert await badge_role("moderator", language) == word
    assert f"{word}" in mail("moderator", language)
    # the 4th meeting's programme names its sessions' moderators under the same word
    meeting = seed_meeting()
    view = ProgrammeView(meeting=meeting, sessions=seed_sessions())
    assert any(s.moderators for s in view.sessions)
    page = programme_html(view, language)
    assert f'<div class="moderators">{word}' in page


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_national_focal_point_is_one_word_everywhere(language: str) -> None:
    word = ROLES[Role.focal_point].get(language)
    assert word == {"ar": "جهة الاتصال الوطنية", "fr": "Point focal national"}[language]
    inside = ROLES[Role.focal_point].inline(language)

    assert await badge_role("focal_point", language) == word
    assert word in mail("focal_point", language)
    # the mails' sentences say it too (a rejection, a withdrawal by the focal point)
    assert inside in mail("delegate", language, verb="rejected")
    assert inside in mail("delegate", language, verb="withdrawn", withdrawn_by="focal_point")
    # an account's staff role is the same person, the same word
    assert STAFF_ROLES[StaffRole.focal_point] is ROLES[Role.focal_point]
    refusal = Forbidden(
        "this needs one of the roles: {roles}",
        params={"roles": listing([STAFF_ROLES[StaffRole.focal_point]])},
    )
    assert said(refusal, language, "pesnet.registration").endswith(inside)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_activity_status_is_one_word_in_the_report_and_in_the_errors(language: str) -> None:
    plan = adopted_plan()
    plan.change_activity_status("act-1", "postponed", now=NOW, planned_start=date(2025, 3, 1))
    postponed = ACTIVITY_STATUSES["postponed"]
    report = render_html(plan, language)
    assert postponed.get(language) in report
    assert PLAN_STATUSES["adopted"].get(language) in report

    plan.change_activity_status("act-1", "cancelled", now=NOW)
    with pytest.raises(Conflict) as refused:
        plan.change_activity_status("act-1", "ongoing", now=NOW)
    detail = said(refused.value, language, "pesnet.actionplan")
    assert ACTIVITY_STATUSES["cancelled"].inline(language) in detail
    assert ACTIVITY_STATUSES["ongoing"].inline(language) in detail


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_registration_status_is_one_word_on_the_pages_and_in_the_errors(
    language: str,
) -> None:
    withdrawn = PARTICIPANT_STATUSES[ParticipantStatus.withdrawn]
    assert status_text("withdrawn", language) == withdrawn.get(language)
    confirmed = PARTICIPANT_STATUSES[ParticipantStatus.confirmed]
    assert status_text("confirmed", language).startswith(confirmed.get(language))

    uow = FakeRegistrationUnitOfWork()
    await open_meeting(uow)
    registration_id = await register(uow, 1)
    with pytest.raises(Conflict) as refused:
        await check_in.badge_png(
            registration_id, SECRETARIAT, uow, badges=BADGES, renderer=Renderer()
        )
    registered = PARTICIPANT_STATUSES[ParticipantStatus.registered]
    assert registered.inline(language) in said(refused.value, language, "pesnet.registration")


def test_every_session_kind_is_a_term_of_the_agenda() -> None:
    assert set(SESSION_KINDS) == set(get_args(SessionKind))
    for kind in SESSION_KINDS.values():
        for language in LANGUAGES:
            assert translated(
                kind.text, language, packages=(str(kind.package),), context=kind.context
            ), (kind, language)
