"""Development seed: the institutions the network's records name (the reference's
first entries, `data/institutions.json`), the 4th meeting (Marrakech, held: no
registration) and the demonstration meeting `pesnet-demo` (open for registration, a
few weeks ahead), until the agenda service announces them with
`agenda.meeting.scheduled` (the event then wins)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from importlib.resources import files

from pesnet.registration.domain.commands import RegisterInstitution
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import NETWORK_NAME
from pesnet.shared.translation import Wording, _

# the meetings' titles name the network by the kernel's term (as agenda's do)
said = Wording("pesnet.registration").said


def network_institutions() -> list[RegisterInstitution]:
    """ANAPEC, ISKUR, SESRIC and the other institutions of the 4th meeting's programme."""
    raw = json.loads(files("pesnet.registration").joinpath("data/institutions.json").read_text())
    return [
        RegisterInstitution(
            id=item["id"],
            name=Localized.model_validate(item["name"]),
            acronym=item.get("acronym"),
            country=item.get("country"),
        )
        for item in raw["institutions"]
    ]


PESNET_4 = MeetingScheduled(
    meeting_id="pesnet-4",
    number=4,
    title=said(_("4th Meeting of the {network}"), network=NETWORK_NAME),
    city=Localized(ar="مراكش", en="Marrakech", fr="Marrakech"),
    country="MAR",
    timezone="Africa/Casablanca",
    start_date=date(2024, 2, 29),
    end_date=date(2024, 3, 1),
    status="held",
    delegation_quota=3,
)


def demo_meeting(now: datetime) -> MeetingScheduled:
    """`pesnet-demo` as the agenda's seed announces it (the same rules as the 4th)."""
    start = now.date() + timedelta(weeks=4)
    return PESNET_4.model_copy(
        update={
            "meeting_id": "pesnet-demo",
            "number": 0,
            "demonstration": True,
            "title": said(
                _("Demonstration meeting of the {network} (for trying the platform)"),
                network=NETWORK_NAME,
            ),
            "status": "registration_open",
            "start_date": start,
            "end_date": start + timedelta(days=1),
            "registration_opens_at": now,
        }
    )
