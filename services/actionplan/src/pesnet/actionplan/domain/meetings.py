"""The agenda's meetings, as far as a plan needs them: the meeting that adopted it and
the one where its draft was discussed are named by their titles, not their ids."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from pesnet.shared.i18n import Localized


class Meeting(BaseModel):
    model_config = ConfigDict(frozen=True)

    meeting_id: str
    number: int
    title: Localized
    city: Localized | None = None
    start_date: date | None = None
    end_date: date | None = None
    timezone: str
