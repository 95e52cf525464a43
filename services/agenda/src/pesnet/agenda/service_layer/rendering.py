"""How the programme is rendered, as the use cases and entrypoints need it; bootstrap
provides the implementation (`adapters.render.ProgrammeRenderer`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import Session
from pesnet.agenda.domain.release import ProgrammeView


class CalendarRenderer(Protocol):
    def ics(self, view: ProgrammeView, lang: str) -> str:
        """iCalendar: one event per session, in the meeting's zone."""

    def meeting_ics(self, meeting: Meeting, lang: str, stamp: datetime) -> str:
        """iCalendar: the meeting itself, over its days, at its venue."""


class ProgrammeRenderer(CalendarRenderer, Protocol):
    def html(self, view: ProgrammeView, lang: str) -> str:
        """The page in `lang` (Arabic right-to-left)."""

    def json(self, view: ProgrammeView, lang: str | None) -> dict[str, Any]:
        """The programme as JSON (with the texts in `lang`, if given)."""

    def session_json(self, meeting: Meeting, session: Session, lang: str | None) -> dict[str, Any]:
        """One session as JSON (with the texts in `lang`, if given)."""
