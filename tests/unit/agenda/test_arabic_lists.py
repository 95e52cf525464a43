"""Arabic lists are separated by the Arabic comma (،), not a Latin one: a meeting's place
in its calendar and in its communiqué, a session's people in the programme's calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from pesnet.agenda.adapters.render import meeting_ics, programme_ics
from pesnet.agenda.domain.release import ProgrammeView
from pesnet.agenda.service_layer.seed import seed_meeting, seed_sessions
from pesnet.shared.i18n import Localized

VENUE = Localized(ar="قصر المؤتمرات", en="Congress Palace", fr="Palais des congrès")


def unfolded(ics: str) -> str:
    return ics.replace("\r\n ", "")


def test_the_arabic_calendar_separates_with_the_arabic_comma() -> None:
    meeting = seed_meeting().model_copy(update={"venue": VENUE})
    arabic = unfolded(meeting_ics(meeting, "ar", datetime(2024, 1, 1, tzinfo=UTC)))
    assert "LOCATION:قصر المؤتمرات، مراكش" in arabic
    english = unfolded(meeting_ics(meeting, "en", datetime(2024, 1, 1, tzinfo=UTC)))
    assert "LOCATION:Congress Palace\\, Marrakech" in english
    programme = unfolded(
        programme_ics(ProgrammeView(meeting=meeting, sessions=seed_sessions()), "ar")
    )
    described = [line for line in programme.splitlines() if line.startswith("DESCRIPTION:")]
    assert any("، " in line for line in described)
    assert not any("\\, " in line for line in described)
