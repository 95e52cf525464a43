"""Events as the other services publish them (the catalog is the contract)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from pesnet.shared.events.actionplan import (
    CooperationParty,
    CooperationProposed,
    ProgressReviewed,
    ReminderDue,
    ThematicAreaRef,
)
from pesnet.shared.events.agenda import (
    AffectedParticipant,
    ChairInstitution,
    ChairmanshipTransferred,
    MeetingScheduled,
    ProgrammeChange,
    ReleaseNoticesPrepared,
    SessionChangeNoticesPrepared,
    SessionSummary,
)
from pesnet.shared.events.common import Contact
from pesnet.shared.events.registration import (
    ParticipantCheckedIn,
    ParticipantConfirmed,
    ParticipantRegistered,
    ParticipantRejected,
    ParticipantWaitlisted,
    ParticipantWithdrawn,
)
from pesnet.shared.i18n import Localized

# names in their own script, per language
PEOPLE: dict[str, dict[str, str]] = {
    "ar": {"given_name": "فاطمة", "family_name": "الزهراء", "institution": "الوكالة الوطنية"},
    "en": {"given_name": "Aisha", "family_name": "Rahman", "institution": "Ministry of Labour"},
    "fr": {"given_name": "Hélène", "family_name": "Diop", "institution": "ANPE Sénégal"},
}

MEETING = MeetingScheduled(
    meeting_id="pesnet-4",
    number=4,
    title=Localized(
        ar="الاجتماع الرابع لشبكة مؤسسات التوظيف العامة",
        en="4th Meeting of the OIC-PESNET",
        fr="4e réunion de l'OCI-PESNET",
    ),
    city=Localized(ar="مراكش", en="Marrakech", fr="Marrakech"),
    country="MAR",
    timezone="Africa/Casablanca",
    start_date=date(2025, 10, 14),
    end_date=date(2025, 10, 15),
)

PARTICIPANT_MODELS: dict[str, type[Any]] = {
    "registered": ParticipantRegistered,
    "confirmed": ParticipantConfirmed,
    "waitlisted": ParticipantWaitlisted,
    "rejected": ParticipantRejected,
    "withdrawn": ParticipantWithdrawn,
    "checked_in": ParticipantCheckedIn,
}


def email_for(language: str, tag: str = "") -> str:
    return f"{language}.{tag or uuid.uuid4().hex[:6]}@example.org"


def participant(
    verb: str,
    language: str,
    *,
    registration_id: str | None = None,
    email: str | None = None,
    **extra: Any,
) -> Any:
    person = PEOPLE[language]
    values: dict[str, Any] = {
        "registration_id": registration_id or f"reg-{uuid.uuid4().hex[:8]}",
        "meeting_id": "pesnet-4",
        "given_name": person["given_name"],
        "family_name": person["family_name"],
        "email": email or email_for(language),
        "country": "MAR",
        "institution": person["institution"],
        "position": "Director",
        "role": "delegate",
        "language": language,
        "status": {"checked_in": "confirmed"}.get(verb, verb),
    }
    if verb == "registered":
        values["registered_at"] = datetime(2025, 9, 1, 9, 30, tzinfo=UTC)
    if verb == "checked_in":
        values["checked_in_at"] = datetime(2025, 10, 14, 8, 15, tzinfo=UTC)
    values.update(extra)
    return PARTICIPANT_MODELS[verb](**values)


SESSION_TITLE = Localized(
    ar="الجلسة الأولى: سياسات سوق العمل",
    en="Session 1: labour market policies",
    fr="Session 1 : politiques du marché du travail",
)

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pesnet//agenda//EN\r\nEND:VCALENDAR\r\n"


def programme(version: int, affected: dict[str, list[str]] | None = None, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "meeting_id": "pesnet-4",
        "version": version,
        "released_at": datetime(2025, 10, 1, 12, 0, tzinfo=UTC),
        "timezone": "Africa/Casablanca",
        "changes": [
            ProgrammeChange(
                kind="moved",
                session_id="s1",
                title=SESSION_TITLE,
                summary=Localized(
                    ar=f"نُقلت إلى الساعة 10:00 (الإصدار {version})",
                    en=f"moved to 10:00 (version {version})",
                    fr=f"déplacée à 10 h (version {version})",
                ),
            )
        ],
        "affected": [
            AffectedParticipant(registration_id=r, session_ids=s)
            for r, s in (affected or {}).items()
        ],
        "sessions": [
            SessionSummary(
                session_id="s1",
                title=SESSION_TITLE,
                starts_at=datetime(2025, 10, 14, 9, 0, tzinfo=UTC),
                ends_at=datetime(2025, 10, 14, 10, 30, tzinfo=UTC),
                room="Salle Atlas",
            )
        ],
        "ics": ICS,
    }
    values.update(extra)
    return ReleaseNoticesPrepared(**values)


def session_changed(registration_ids: list[str]) -> SessionChangeNoticesPrepared:
    return SessionChangeNoticesPrepared(
        meeting_id="pesnet-4",
        session_id="s1",
        title=SESSION_TITLE,
        change="speaker_withdrawn",
        summary=Localized(
            ar="انسحب أحد المتحدثين", en="a speaker withdrew", fr="un intervenant s'est retiré"
        ),
        flagged=True,
        affected_registration_ids=registration_ids,
    )


def chairmanship() -> ChairmanshipTransferred:
    return ChairmanshipTransferred(
        meeting_id="pesnet-4",
        effective_date=date(2025, 10, 15),
        term="2024-2026",
        outgoing=ChairInstitution(
            institution="ISKUR",
            name=Localized(ar="مؤسسة التوظيف التركية", en="İŞKUR", fr="İŞKUR"),
            country="TUR",
            oic_group="asian",
        ),
        incoming=ChairInstitution(
            institution="ANAPEC",
            name=Localized(ar="الوكالة الوطنية لإنعاش التشغيل والكفاءات", en="ANAPEC", fr="ANAPEC"),
            country="MAR",
            oic_group="arab",
        ),
    )


def contact(language: str, email: str | None = None) -> Contact:
    person = PEOPLE[language]
    return Contact(
        name=f"{person['given_name']} {person['family_name']}",
        email=email or email_for(language),
        language=language,
    )


def reminder(contacts: list[Contact]) -> ReminderDue:
    return ReminderDue(
        reminder_id=f"rem-{uuid.uuid4().hex[:6]}",
        kind="reporting_period_closing",
        period="2024-2026",
        subject_title=Localized(
            ar="برنامج تدريب المستشارين",
            en="Counsellor training programme",
            fr="Programme de formation des conseillers",
        ),
        due_date=date(2025, 12, 31),
        recipients=contacts,
    )


def progress(
    reporter: Contact, outcome: str = "returned", comment: str | None = "add the 2024 figure"
) -> ProgressReviewed:
    return ProgressReviewed(
        report_id=f"rep-{uuid.uuid4().hex[:6]}",
        period="2024-2026",
        indicator_id="ind-1",
        indicator_title=Localized(
            ar="عدد الباحثين عن عمل المسجلين",
            en="Registered jobseekers",
            fr="Demandeurs d'emploi inscrits",
        ),
        outcome=outcome,
        comment=comment,
        reporter=reporter,
    )


def cooperation(offer: list[Contact], need: list[Contact]) -> CooperationProposed:
    return CooperationProposed(
        proposal_id=f"coop-{uuid.uuid4().hex[:6]}",
        period="2024-2026",
        kind="bilateral",
        thematic_area=ThematicAreaRef(
            id="ta-1",
            title=Localized(
                ar="التحول الرقمي", en="Digital transformation", fr="Transformation numérique"
            ),
        ),
        offer_title=Localized(
            ar="منصة مطابقة الوظائف",
            en="Job-matching platform",
            fr="Plateforme de mise en relation",
        ),
        explanation=Localized(
            ar="تعرض المؤسسة الأولى خبرتها في ما تحتاجه الثانية.",
            en="The first institution offers what the second one needs.",
            fr="La première institution offre ce dont la seconde a besoin.",
        ),
        score=0.87,
        parties=[
            CooperationParty(institution="ANAPEC", side="offer", contacts=offer),
            CooperationParty(institution="ISKUR", side="need", contacts=need),
        ],
    )
