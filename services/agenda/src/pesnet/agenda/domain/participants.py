"""The agenda's projection of registrations, and what a change of one means for the
programme: a speaker or moderator who withdraws (or stops being confirmed) flags
their sessions in the draft; confirmed again, the flag goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from pesnet.agenda.domain.meeting import Meeting, Person
from pesnet.agenda.domain.programme import Draft, Session
from pesnet.agenda.domain.wording import said
from pesnet.shared.events.common import ParticipantStatus, Role
from pesnet.shared.i18n import Language, Localized
from pesnet.shared.translation import _


class Participant(BaseModel):
    """A registration as the last registration event told it (`as_of`: that event's time)."""

    model_config = ConfigDict(frozen=True)

    registration_id: str
    meeting_id: str
    email: str
    given_name: str
    family_name: str
    language: Language
    role: Role
    country: str | None = None
    status: ParticipantStatus
    as_of: datetime

    @field_validator("email")
    @classmethod
    def _lower_case(cls, email: str) -> str:
        """Programme people are matched by e-mail, case-insensitively."""
        return email.lower()

    @property
    def confirmed(self) -> bool:
        return self.status == ParticipantStatus.confirmed

    def is_newer_than(self, stored: Participant | None) -> bool:
        """Redeliveries come out of order: an event older than what is stored changes nothing."""
        return stored is None or stored.as_of <= self.as_of


@dataclass(frozen=True)
class SessionNotice:
    """A session of the draft flagged (`withdrew`) or cleared because of one of its people."""

    session: Session
    person: Person
    withdrew: bool

    @property
    def role(self) -> str:
        return "moderator" if self.person.id in self.session.moderators else "speaker"

    @property
    def summary(self) -> Localized:
        return (WITHDRAWN_NOTICES if self.withdrew else BACK_NOTICES)[self.role]


def concerns_programme(meeting: Meeting, before: Participant | None, after: Participant) -> bool:
    """Whether the registration is (or was, through its old address) one of the
    programme's people: only then can it flag or clear a session."""
    if meeting.person_by_email(after.email):
        return True
    return (
        before is not None
        and before.email != after.email
        and bool(meeting.person_by_email(before.email))
    )


def follow_registration(
    meeting: Meeting, draft: Draft, before: Participant | None, after: Participant
) -> tuple[Draft, list[SessionNotice]]:
    """Flag or clear the draft's sessions of the person(s) this registration is."""
    people = meeting.person_by_email(after.email)
    was_confirmed = before is not None and before.confirmed
    lost: list[Person] = []
    if before is not None and before.email != after.email and was_confirmed:
        # the address changed: the person of the old address no longer has a
        # confirmed registration through this one
        lost = [p for p in meeting.person_by_email(before.email) if p not in people]
    notices: list[SessionNotice] = []
    for person in people:
        if after.status == ParticipantStatus.withdrawn or (was_confirmed and not after.confirmed):
            draft, flagged = draft.flag_person(person.id)
            notices += [SessionNotice(s, person, withdrew=True) for s in flagged]
        elif after.confirmed:
            draft, cleared = draft.unflag_person(person.id)
            notices += [SessionNotice(s, person, withdrew=False) for s in cleared]
    for person in lost:
        draft, flagged = draft.flag_person(person.id)
        notices += [SessionNotice(s, person, withdrew=True) for s in flagged]
    return draft, notices


def confirmed_people(meeting: Meeting, confirmed_by_email: dict[str, str]) -> dict[str, str]:
    """person id → registration id, for the meeting's people who are confirmed."""
    return {
        p.id: confirmed_by_email[p.email.lower()]
        for p in meeting.people.values()
        if p.email.lower() in confirmed_by_email
    }


WITHDRAWN_NOTICES = {
    "speaker": said(_("A speaker withdrew; the session is under review")),
    "moderator": said(_("The moderator withdrew; the session is under review")),
}
BACK_NOTICES = {
    "speaker": said(_("A speaker who had withdrawn is confirmed again")),
    "moderator": said(_("The moderator who had withdrawn is confirmed again")),
}
