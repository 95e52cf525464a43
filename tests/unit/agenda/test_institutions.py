"""The agenda's projection of registration's reference of institutions: a meeting's host
and the chair are named as the reference names them now, in the reader's language; a
meeting from before the projection that names an institution the reference lacks is
still shown by the name it gave."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pesnet.agenda.domain.chairmanship import ChairHolder
from pesnet.agenda.domain.commands import HandOverChair, ReviseMeeting
from pesnet.agenda.entrypoints.messaging import subscriptions
from pesnet.agenda.service_layer import chairmanship, meetings
from pesnet.agenda.service_layer.seed import DEMO_MEETING_ID, MEETING_ID
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import ChairmanshipTransferred, MeetingScheduled
from pesnet.shared.events.registration import (
    InstitutionChanged,
    InstitutionRegistered,
    InstitutionRenamed,
)
from pesnet.shared.i18n import Localized
from tests.unit.agenda.fakes import FakeAgendaUnitOfWork

ISKUR = Localized(
    ar="مؤسسة التوظيف التركية",
    en="Turkish Employment Agency",
    fr="Agence turque pour l'emploi",
)
ISKUR_RENAMED = Localized(
    ar="وكالة العمل التركية",
    en="Turkish Labour Agency",
    fr="Agence turque du travail",
)
AT = datetime(2024, 3, 1, tzinfo=UTC)


async def announce(uow: FakeAgendaUnitOfWork, event: InstitutionChanged) -> None:
    """As the consumer does: the agenda's subscription table, on its unit of work."""
    await subscriptions().handle(event, uow, CATALOG.envelope(event, source="/pesnet/registration"))


def registered(name: Localized = ISKUR, version: int = 1) -> InstitutionRegistered:
    return InstitutionRegistered(
        institution_id="iskur",
        name=name,
        acronym="İŞKUR",
        country="TUR",
        version=version,
        registered_at=AT,
    )


def renamed(name: Localized = ISKUR_RENAMED, version: int = 2) -> InstitutionRenamed:
    return InstitutionRenamed(
        institution_id="iskur",
        name=name,
        acronym="İŞKUR",
        country="TUR",
        version=version,
        renamed_at=AT,
    )


async def test_the_newest_announcement_of_an_institution_is_kept(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await announce(uow, renamed())
    await announce(uow, registered())  # older, delivered late
    kept = await uow.institutions.get("iskur")
    assert kept is not None
    assert (kept.version, kept.name) == (2, ISKUR_RENAMED)


async def test_a_meetings_host_is_named_as_the_reference_names_it_now(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    await announce(seeded, registered())
    await meetings.revise_meeting(
        ReviseMeeting(DEMO_MEETING_ID, {"host_institution": "iskur"}), seeded
    )
    host = (await meetings.get_meeting(DEMO_MEETING_ID, seeded)).host
    assert host is not None
    assert host.label("fr") == "Agence turque pour l'emploi (İŞKUR)"

    await announce(seeded, renamed())
    host = (await meetings.get_meeting(DEMO_MEETING_ID, seeded)).host
    assert host is not None
    assert [host.label(lang) for lang in ("ar", "en", "fr")] == [
        "وكالة العمل التركية",
        "Turkish Labour Agency (İŞKUR)",
        "Agence turque du travail (İŞKUR)",
    ]


async def test_an_older_meeting_hosted_by_an_institution_the_reference_lacks_keeps_its_name(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    """The seeded 4th meeting names ANAPEC among its own institutions; the reference
    has not announced it (yet)."""
    found = await meetings.get_meeting(MEETING_ID, seeded)
    assert found.meeting.host_institution == "anapec"
    assert found.host is not None
    assert found.host.label("en") == found.meeting.institutions["anapec"].name.get("en") + (
        " (ANAPEC)"
    )
    assert "الوكالة" in found.host.label("ar")


async def test_a_host_neither_the_reference_nor_the_meeting_names_is_refused(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await meetings.revise_meeting(
            ReviseMeeting(DEMO_MEETING_ID, {"host_institution": "nowhere"}), seeded
        )
    assert refused.value.field == "host_institution"


async def test_a_meetings_chair_institution_is_checked_announced_and_named_like_its_host(
    seeded: FakeAgendaUnitOfWork,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await meetings.revise_meeting(
            ReviseMeeting(DEMO_MEETING_ID, {"chair_institution": "nowhere"}), seeded
        )
    assert refused.value.field == "chair_institution"

    await announce(seeded, registered())
    await meetings.revise_meeting(
        ReviseMeeting(DEMO_MEETING_ID, {"chair_institution": "iskur"}), seeded
    )
    announced = seeded.events(MeetingScheduled)[-1]
    assert isinstance(announced, MeetingScheduled)
    assert announced.chair_institution == "iskur"
    found = await meetings.get_meeting(DEMO_MEETING_ID, seeded)
    assert found.chair is not None
    assert found.chair.label("ar") == ISKUR.ar
    assert found.meeting.host_institution != "iskur"  # the host stays what it was


async def test_the_chair_handed_to_an_institution_of_the_reference_takes_its_names(
    uow: FakeAgendaUnitOfWork,
) -> None:
    await announce(uow, registered())
    incoming = ChairHolder(institution="iskur", country="TUR", oic_group="asian")
    await chairmanship.hand_over_chair(
        HandOverChair(incoming, effective_date=date(2027, 3, 1), term="2027-2029"), uow
    )
    [event] = uow.events(ChairmanshipTransferred)
    assert isinstance(event, ChairmanshipTransferred)
    assert event.incoming.name == ISKUR

    await announce(uow, renamed())
    found = await chairmanship.get_chairmanship(uow)
    [term] = found.state.terms
    assert term.holder.label(found.names, "fr") == "Agence turque du travail (İŞKUR)"


async def test_the_chair_handed_to_an_institution_nobody_names_is_refused(
    uow: FakeAgendaUnitOfWork,
) -> None:
    incoming = ChairHolder(institution="nowhere", country="TUR", oic_group="asian")
    with pytest.raises(InvalidInput) as refused:
        await chairmanship.hand_over_chair(
            HandOverChair(incoming, effective_date=date(2027, 3, 1), term="2027-2029"), uow
        )
    assert refused.value.field == "incoming.institution"
    assert uow.events() == []
