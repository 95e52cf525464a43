"""The development seed: the 4th meeting (Marrakech, 29 February - 1 March 2024)
from the concept note, held (history: it takes no registration), its programme as the
draft, its people (with demo addresses `<person-id>@example.org`) and the chairmanship
history; and the demonstration meeting `pesnet-demo`, a copy of the 4th a few weeks
ahead of the day it is seeded, open for registration. Idempotent, and through the same
use cases as real requests (so events go through the outbox); each part is its own
transaction."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from pesnet.agenda.domain.chairmanship import AlreadyRecorded, ChairHolder, ChairTerm
from pesnet.agenda.domain.commands import (
    AdoptCommunique,
    DraftCommunique,
    HandOverChair,
    PublishCommunique,
    PutInstitution,
    PutPerson,
    RecordChairTerm,
    ReplaceDraft,
    ScheduleMeeting,
    SeedAgenda,
)
from pesnet.agenda.domain.communique import Paragraph
from pesnet.agenda.domain.meeting import Institution, Meeting, Organiser, Person, ordinal_title
from pesnet.agenda.domain.programme import Session
from pesnet.agenda.domain.wording import said
from pesnet.agenda.service_layer.chairmanship import hand_over_chair, record_chair_term
from pesnet.agenda.service_layer.communique import (
    adopt_communique,
    draft_communique,
    publish_communique,
)
from pesnet.agenda.service_layer.editing import replace_draft
from pesnet.agenda.service_layer.meetings import put_institution, put_person, schedule_meeting
from pesnet.agenda.service_layer.unit_of_work import AgendaUnitOfWork, Clock
from pesnet.shared.envelope import utcnow
from pesnet.shared.i18n import Localized
from pesnet.shared.logging import get_logger
from pesnet.shared.reference import member_states
from pesnet.shared.terms import NETWORK_NAME
from pesnet.shared.translation import _

log = get_logger(__name__)

MEETING_ID = "pesnet-4"
DEMO_MEETING_ID = "pesnet-demo"
DEMO_WEEKS_AHEAD = 4
DEMO_TITLE = said(
    _("Demonstration meeting of the {network} (for trying the platform)"), network=NETWORK_NAME
)
DEMO_DOMAIN = "example.org"
DELEGATION_QUOTA = 3

# Stable ids for the 16 programme items, in the concept note's order.
SESSION_IDS = (
    "registration",
    "opening",
    "family-photo",
    "overview",
    "lunch-day-1",
    "session-1",
    "tea-break-day-1",
    "session-2",
    "dinner",
    "action-plan",
    "tea-break-day-2",
    "action-plan-continued",
    "lunch-friday-prayer",
    "exchange-of-views",
    "closing",
    "cultural-visit",
)


@cache
def seed_data() -> dict[str, Any]:
    text = files("pesnet.agenda").joinpath("seed/meeting-4-marrakech.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def demo_email(person_id: str) -> str:
    return f"{person_id}@{DEMO_DOMAIN}"


def seed_meeting() -> Meeting:
    data = seed_data()
    raw = data["meeting"]
    institutions = {
        i["id"]: Institution(
            id=i["id"], name=Localized(**i["name"]), acronym=i["acronym"], country=i["country"]
        )
        for i in data["institutions"]
    }
    people = {
        p["id"]: Person(
            id=p["id"],
            name=Localized(**p["name"]),
            email=demo_email(p["id"]),
            honorific=Localized(**p["honorific"]) if p.get("honorific") else None,
            position=Localized(**p["position"]) if p.get("position") else None,
            institution=p.get("institution"),
        )
        for p in data["people"]
    }
    return Meeting(
        id=MEETING_ID,
        number=raw["number"],
        # the standard title, which names the network by its term
        title=ordinal_title(raw["number"]),
        timezone=raw["timezone"],
        city=Localized(**raw["city"]),
        country=raw["country"],
        start_date=date.fromisoformat(raw["start_date"]),
        end_date=date.fromisoformat(raw["end_date"]),
        interpretation_languages=tuple(raw["interpretation_languages"]),
        organisers=tuple(Organiser(**o) for o in raw["organisers"]),
        status="held",
        host_institution="anapec",
        delegation_quota=DELEGATION_QUOTA,
        people=people,
        institutions=institutions,
    )


def demo_meeting(today: date) -> Meeting:
    """The 4th meeting's rules and people, as a demonstration a few weeks after `today`."""
    held = seed_meeting()
    start = today + timedelta(weeks=DEMO_WEEKS_AHEAD)
    assert held.start_date is not None
    assert held.end_date is not None
    return held.model_copy(
        update={
            "id": DEMO_MEETING_ID,
            "number": 0,
            "demonstration": True,
            "title": DEMO_TITLE,
            "status": "registration_open",
            "start_date": start,
            "end_date": start + (held.end_date - held.start_date),
        }
    )


def seed_sessions(shift: timedelta = timedelta(0)) -> list[Session]:
    """The 4th meeting's programme (`shift`ed for the demonstration meeting)."""
    items = seed_data()["programme"]
    if len(items) != len(SESSION_IDS):
        raise ValueError(f"the seed programme has {len(items)} items, ids for {len(SESSION_IDS)}")
    return [
        Session(
            id=session_id,
            day=date.fromisoformat(item["day"]) + shift,
            start=time.fromisoformat(item["start"]),
            end=time.fromisoformat(item["end"]) if item.get("end") else None,
            kind=item["kind"],
            title=Localized(**item["title"]),
            description=Localized(**item["description"]) if item.get("description") else None,
            points=tuple(Localized(**p) for p in item.get("points", [])),
            moderators=tuple(item.get("moderators", [])),
            moderating_institutions=tuple(item.get("moderating_institutions", [])),
            speakers=tuple(item.get("speakers", [])),
        )
        for session_id, item in zip(SESSION_IDS, items, strict=True)
    ]


async def _seed_meeting(meeting: Meeting, uow: AgendaUnitOfWork, clock: Clock) -> str:
    existing = await uow.meetings.get(meeting.id)
    if existing is None:
        await schedule_meeting(ScheduleMeeting(meeting), uow, clock=clock)
        return "scheduled"
    for institution in meeting.institutions.values():
        if institution.id not in existing.institutions:
            await put_institution(PutInstitution(meeting.id, institution), uow)
    for person in meeting.people.values():
        if person.id not in existing.people:
            await put_person(PutPerson(meeting.id, person), uow)
    return "exists"


def _holder(institution_id: str) -> ChairHolder:
    institution = next(i for i in seed_data()["institutions"] if i["id"] == institution_id)
    country = institution["country"]
    group = member_states()[country].oic_group
    if group is None:
        raise ValueError(f"the OIC group of {country} is not known")
    return ChairHolder(
        institution=institution_id,
        name=Localized(**institution["name"]),
        acronym=institution["acronym"],
        country=country,
        oic_group=group,
    )


async def seed_agenda(
    cmd: SeedAgenda, uow: AgendaUnitOfWork, *, clock: Clock = utcnow
) -> dict[str, str]:
    """Create what is missing; returns what was done for each part."""
    done: dict[str, str] = {}
    held = seed_meeting()
    demo = demo_meeting(clock().astimezone(held.zone).date())
    assert held.start_date is not None
    assert demo.start_date is not None
    for meeting, sessions, key in (
        (held, seed_sessions(), ""),
        (demo, seed_sessions(demo.start_date - held.start_date), "demo_"),
    ):
        done[f"{key}meeting"] = await _seed_meeting(meeting, uow, clock)
        draft = await uow.drafts.get(meeting.id)
        released = await uow.releases.latest(meeting.id)
        if not draft.sessions and released is None:
            await replace_draft(ReplaceDraft(meeting.id, tuple(sessions)), uow)
            done[f"{key}draft"] = f"{len(SESSION_IDS)} sessions"
        else:
            done[f"{key}draft"] = "exists"

    history = seed_data()["network_history"]["chairmanship"]
    outgoing, incoming = history[0], history[1]
    role = next(
        i["role_in_network"]
        for i in seed_data()["institutions"]
        if i["id"] == outgoing["institution"]
    )
    outgoing_term = role.split()[1] if role and role.startswith("chair ") else None
    try:
        await record_chair_term(
            RecordChairTerm(ChairTerm(holder=_holder(outgoing["institution"]), term=outgoing_term)),
            uow,
        )
        done["chair_history"] = "recorded"
    except AlreadyRecorded:
        done["chair_history"] = "exists"
    try:
        await hand_over_chair(
            HandOverChair(
                _holder(incoming["institution"]),
                effective_date=date.fromisoformat(incoming["from"]),
                term=incoming["term"],
                meeting_id=MEETING_ID,
            ),
            uow,
        )
        done["handover"] = "recorded"
    except AlreadyRecorded:
        done["handover"] = "exists"
    done["communique"] = await seed_communique(uow)
    log.info("agenda seeded", **done)
    return done


async def seed_communique(uow: AgendaUnitOfWork) -> str:
    """The 4th meeting's final communiqué, adopted and published at the times it records
    (paragraphs the concept note does not state are marked illustrative)."""
    data = json.loads(
        files("pesnet.agenda").joinpath("seed/communique-4th-meeting.json").read_text("utf-8")
    )
    if await uow.communiques.get(data["meeting_id"]) is not None:
        return "exists"
    paragraphs = tuple(
        Paragraph(
            id=p["id"], kind=p["kind"], text=Localized(**p["text"]), illustrative=p["illustrative"]
        )
        for p in data["paragraphs"]
    )
    meeting_id = data["meeting_id"]
    adopted_at = datetime.fromisoformat(data["adopted_at"])
    published_at = datetime.fromisoformat(data["published_at"])
    await draft_communique(DraftCommunique(meeting_id, paragraphs), uow, clock=lambda: adopted_at)
    await adopt_communique(AdoptCommunique(meeting_id), uow, clock=lambda: adopted_at)
    await publish_communique(PublishCommunique(meeting_id), uow, clock=lambda: published_at)
    return "published"
