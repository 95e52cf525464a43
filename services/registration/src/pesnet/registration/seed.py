"""Development seed: the 4th meeting (Marrakech), opened for registration until the
agenda service announces it with `agenda.meeting.scheduled` (the event then wins)."""

from __future__ import annotations

from datetime import date

from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized

PESNET_4 = MeetingScheduled(
    meeting_id="pesnet-4",
    number=4,
    title=Localized(
        ar="الاجتماع الرابع لشبكة منظمة التعاون الإسلامي لخدمات التوظيف العامة",
        en="4th Meeting of the OIC Public Employment Services Network (OIC-PESNET)",
        fr="4e réunion du Réseau des services publics de l'emploi de l'OCI (OIC-PESNET)",
    ),
    city=Localized(ar="مراكش", en="Marrakech", fr="Marrakech"),
    country="MAR",
    timezone="Africa/Casablanca",
    start_date=date(2024, 2, 29),
    end_date=date(2024, 3, 1),
    delegation_quota=3,
)
