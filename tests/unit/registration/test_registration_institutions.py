"""The reference of institutions and the focal-point nominations, on the in-memory unit of
work: registering and renaming an institution announce it with its version; a
registration and a nomination name an institution by id (an unknown id, or one of
another country, is refused naming the field); a nomination and its withdrawal are
announced with the token's digest, never the token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from pesnet.registration.domain.commands import (
    NominateFocalPoint,
    OpenMeeting,
    Register,
    RenameInstitution,
)
from pesnet.registration.domain.institution import Institution
from pesnet.registration.domain.meeting import MeetingSource
from pesnet.registration.entrypoints.schemas import NewFocalPoint, NewInstitution, NewRegistration
from pesnet.registration.seed import network_institutions
from pesnet.registration.service_layer import focal_points, institutions, meetings, registering
from pesnet.shared.credentials import ANONYMOUS, TokenPrefix, hash_secret_token
from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.events.registration import (
    FocalPointNominated,
    FocalPointWithdrawn,
    InstitutionRegistered,
    InstitutionRenamed,
    ParticipantRegistered,
)
from pesnet.shared.i18n import Language, Localized
from tests.unit.registration.fakes import FakeRegistrationUnitOfWork
from tests.unit.registration.scenario import MANAGE_LINKS

NAMES = Localized(
    ar="الوكالة الوطنية للتشغيل",
    en="National Employment Agency",
    fr="Agence nationale de l'emploi",
)
TODAY = datetime.now(UTC).date()


def new(institution_id: str = "anem", **fields: Any) -> NewInstitution:
    values: dict[str, Any] = {
        "id": institution_id,
        "name": NAMES,
        "acronym": "ANEM",
        "country": "DZA",
        **fields,
    }
    return NewInstitution.model_validate(values)


@pytest.fixture
async def uow() -> FakeRegistrationUnitOfWork:
    fake = FakeRegistrationUnitOfWork()
    await institutions.seed_institutions(network_institutions(), fake)
    meeting = MeetingScheduled(
        meeting_id="m1",
        number=5,
        title=Localized(ar="الاجتماع الخامس", en="5th Meeting", fr="5e réunion"),
        timezone="UTC",
        status="registration_open",
        start_date=TODAY + timedelta(days=30),
        end_date=TODAY + timedelta(days=31),
    )
    await meetings.open_meeting(
        OpenMeeting(meeting, MeetingSource.agenda, datetime.now(UTC)), fake, default_quota=3
    )
    return fake


# the reference


async def test_the_seed_registers_the_network_institutions_once(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    listed = await institutions.institutions(None, uow)
    assert {"anapec", "iskur", "sesric", "socso", "expertise-france"} <= {i.id for i in listed}
    # OIC institutions and partners without a country come last
    assert listed[-1].id == "expertise-france"
    assert len(uow.events(InstitutionRegistered)) == len(listed) == 8
    assert await institutions.seed_institutions(network_institutions(), uow) == []
    assert len(uow.events(InstitutionRegistered)) == 8
    assert [i.id for i in await institutions.institutions("TUR", uow)] == ["iskur", "sesric"]


async def test_an_institution_is_registered_and_announced_with_version_1(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    institution = await institutions.register_institution(new().command(), uow)
    assert (institution.country, institution.version) == ("DZA", 1)
    [event] = [
        e
        for e in uow.events(InstitutionRegistered)
        if isinstance(e, InstitutionRegistered) and e.institution_id == "anem"
    ]
    assert (event.name, event.acronym, event.country, event.version) == (NAMES, "ANEM", "DZA", 1)
    with pytest.raises(Conflict) as taken:
        await institutions.register_institution(new().command(), uow)
    assert taken.value.field == "id"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": Localized(en="National Employment Agency", fr="ANEM")}, "name.ar"),
        ({"country": "FRA"}, "country"),
        ({"id": "ANEM!"}, "id"),
        ({"name": Localized(ar="و\u0000", en="x", fr="y")}, "name.ar"),
    ],
)
async def test_an_institution_needs_three_names_an_id_and_a_member_state(
    uow: FakeRegistrationUnitOfWork, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await institutions.register_institution(new(**fields).command(), uow)
    assert refused.value.field == field


async def test_a_rename_is_announced_with_the_next_version_and_nothing_is_no_change(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    renamed = Localized(ar="وكالة التوظيف التركية", en="Türkiye Employment Agency", fr="x")
    command = RenameInstitution("iskur", name=renamed)
    institution = await institutions.rename_institution(command, uow)
    assert (institution.version, institution.name.en) == (2, "Türkiye Employment Agency")
    [event] = uow.events(InstitutionRenamed)
    assert isinstance(event, InstitutionRenamed)
    assert (event.institution_id, event.version, event.acronym) == ("iskur", 2, "İŞKUR")
    await institutions.rename_institution(command, uow)  # the same names again
    assert len(uow.events(InstitutionRenamed)) == 1
    with pytest.raises(NotFound):
        await institutions.rename_institution(RenameInstitution("nope", name=command.name), uow)


def test_people_read_an_institution_by_its_name_with_its_acronym_in_latin_script() -> None:
    [iskur] = [i for i in network_institutions() if i.id == "iskur"]
    institution = Institution.register(
        id=iskur.id,
        name=iskur.name,
        acronym=iskur.acronym,
        country=iskur.country,
        at=datetime.now(UTC),
    )
    assert institution.label("fr") == "Agence turque pour l'emploi (İŞKUR)"
    assert institution.label("ar") == "وكالة التوظيف التركية"
    tamwilcom = Institution.register(
        id="tamwilcom", name=Localized(ar="تمويلكم", en="Tamwilcom", fr="Tamwilcom"),
        acronym="Tamwilcom", country="MAR", at=datetime.now(UTC),
    )  # fmt: skip
    assert tamwilcom.label("en") == "Tamwilcom"


# registrations naming an institution


def details(**fields: Any) -> NewRegistration:
    body: dict[str, Any] = {
        "given_name": "فاطمة",
        "family_name": "الزهراء",
        "email": "fatima@example.org",
        "country": "MAR",
        "position": "مديرة",
        "role": "delegate",
        "language": "ar",
        **fields,
    }
    return NewRegistration.model_validate(body)


async def test_a_registration_names_its_institution_by_id(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    outcome = await registering.register(
        Register("m1", details(institution_id="anapec").details(), ANONYMOUS),
        uow,
        public_url="https://x",
    )
    registration = outcome.registration
    assert registration.institution_id == "anapec"
    assert registration.institution == "الوكالة الوطنية لإنعاش التشغيل والكفاءات"
    [event] = uow.events(ParticipantRegistered)
    assert isinstance(event, ParticipantRegistered)
    assert (event.institution_id, event.institution) == ("anapec", registration.institution)
    # free text as the person writes it is kept beside the id
    outcome = await registering.register(
        Register(
            "m1",
            details(
                email="b@example.org", institution="ANAPEC Marrakech", institution_id="anapec"
            ).details(),
            ANONYMOUS,
        ),
        uow,
        public_url="https://x",
    )
    assert outcome.registration.institution == "ANAPEC Marrakech"


async def test_a_registration_with_an_unknown_institution_or_none_is_refused(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    with pytest.raises(InvalidInput) as unknown:
        await registering.register(
            Register("m1", details(institution_id="nope").details(), ANONYMOUS),
            uow,
            public_url="https://x",
        )
    assert unknown.value.field == "institution_id"
    with pytest.raises(ValidationError) as missing:
        details()  # neither a name nor an id
    assert [e["loc"] for e in missing.value.errors()] == [("institution",)]
    assert uow.events(ParticipantRegistered) == []


# focal-point nominations


async def test_a_nomination_for_an_institution_is_announced_with_the_tokens_digest(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    nomination = NominateFocalPoint(
        country="MAR",
        name="Karim Alaoui",
        institution_id="anapec",
        email="k.alaoui@anapec.example.ma",
        language=Language.fr,
    )
    focal_point, token = await focal_points.issue_focal_point(nomination, uow)
    [event] = uow.events(FocalPointNominated)
    assert isinstance(event, FocalPointNominated)
    assert (event.focal_point_id, event.institution_id, event.country) == (
        focal_point.id,
        "anapec",
        "MAR",
    )
    assert (event.email, event.language, event.version) == (
        "k.alaoui@anapec.example.ma",
        Language.fr,
        1,
    )
    assert event.token_digest == hash_secret_token(token)
    assert token not in event.model_dump_json()
    actor = await focal_points.RegistrationTokens(lambda: uow, MANAGE_LINKS).actor_for(
        TokenPrefix.focal_point, hash_secret_token(token)
    )
    assert actor is not None
    assert (actor.country, actor.institution) == ("MAR", "anapec")

    await focal_points.revoke_focal_point(focal_point.id, uow)
    [withdrawn] = uow.events(FocalPointWithdrawn)
    assert isinstance(withdrawn, FocalPointWithdrawn)
    assert (withdrawn.focal_point_id, withdrawn.version) == (focal_point.id, 2)
    stored = await uow.focal_points.get(focal_point.id)
    assert stored is not None
    assert stored.email is None


async def test_a_country_only_nomination_is_announced_too(uow: FakeRegistrationUnitOfWork) -> None:
    await focal_points.issue_focal_point(NominateFocalPoint(country="TUR"), uow)
    [event] = uow.events(FocalPointNominated)
    assert isinstance(event, FocalPointNominated)
    assert (event.country, event.institution_id, event.email) == ("TUR", None, None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"institution_id": "nope"}, "institution_id"),
        ({"institution_id": "iskur"}, "institution_id"),  # an institution of Türkiye
        ({"institution_id": "anapec", "email": None}, "email"),
        ({"institution_id": "anapec", "name": None}, "name"),
    ],
)
async def test_a_nomination_names_a_known_institution_of_its_country_and_a_contact(
    uow: FakeRegistrationUnitOfWork, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "country": "MAR",
        "name": "K. A.",
        "email": "ka@example.org",
        **fields,
    }
    with pytest.raises(InvalidInput) as refused:
        await focal_points.issue_focal_point(NewFocalPoint.model_validate(values).command(), uow)
    assert refused.value.field == field
    assert uow.events(FocalPointNominated) == []


async def test_an_oic_institution_without_a_country_takes_any_member_states_focal_point(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    await institutions.register_institution(
        new("icdt", country=None, acronym="ICDT").command(), uow
    )
    nomination = NominateFocalPoint(
        country="MAR", name="K", email="k@example.org", institution_id="icdt"
    )
    focal_point, _ = await focal_points.issue_focal_point(nomination, uow)
    assert focal_point.institution_id == "icdt"


async def test_an_institutions_staff_picking_it_in_their_languages_are_one_delegation(
    uow: FakeRegistrationUnitOfWork,
) -> None:
    for n, language in enumerate(("ar", "en")):
        await registering.register(
            Register(
                "m1",
                details(
                    email=f"staff{n}@example.org",
                    country=None,
                    role="observer",
                    institution=None,
                    institution_id="sesric",
                    language=language,
                ).details(),
                ANONYMOUS,
            ),
            uow,
            public_url="https://x",
        )
    _, found = await meetings.delegations("m1", uow)
    sesric = [d for d in found if d.country is None]
    assert len(sesric) == 1, [d.institution for d in sesric]
    assert sum(sesric[0].by_status.values()) == 2
