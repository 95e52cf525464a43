"""Who notifications knows, built only from events: recipients (one per address, with
the preferences they chose) and participations (one per registration). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pesnet.notifications.domain.model import effective_language, normalize_address
from pesnet.notifications.domain.notices import Person
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.common import ParticipantStatus
from pesnet.shared.i18n import Language
from pesnet.shared.translation import _

# who a programme release reaches besides its speakers (a checked-in participant
# stays confirmed)
ATTENDING = (ParticipantStatus.confirmed,)


@dataclass
class Recipient:
    """One person by address: what the events said of them and what they chose."""

    address: str  # the comparison key of the address
    email: str  # the address as the last event gave it
    name: str = ""
    language: str = "en"
    preferred_language: Language | None = None
    opted_out: bool = False
    roles: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    seen_at: datetime | None = None

    @classmethod
    def first_heard(cls, email: str) -> Recipient:
        return cls(address=normalize_address(email), email=email.strip())

    def heard_of(
        self,
        *,
        email: str,
        name: str,
        language: str,
        role: str,
        source: str,
        institution: str | None,
        seen_at: datetime,
    ) -> None:
        """What an event says of the person: the newest name and language, every
        role, source and institution it was ever heard of with."""
        self.email = email.strip()
        self.name = name
        self.language = language
        self.seen_at = seen_at
        for values, value in (
            (self.roles, role),
            (self.sources, source),
            (self.institutions, institution),
        ):
            if value and value not in values:
                values.append(value)

    @property
    def mail_language(self) -> Language:
        return effective_language(self.language, self.preferred_language)

    def person(
        self,
        registration_id: str | None = None,
        *,
        attending: bool = False,
        attendance: str | None = None,
    ) -> Person:
        return Person(
            self.email, self.name, self.mail_language, registration_id, attending, attendance
        )

    def change_preferences(self, language: Language | None, opted_out: bool | None) -> None:
        if language is None and opted_out is None:
            raise InvalidInput(_("nothing to change"), field="language")
        if language is not None:
            self.preferred_language = language
        if opted_out is not None:
            self.opted_out = opted_out

    @property
    def known_only_from_registration(self) -> bool:
        return self.sources == ["registration"]


@dataclass(frozen=True)
class Preferences:
    """What a person sees and changes through the signed link of their mails."""

    email: str
    name: str
    language: Language
    preferred_language: Language | None
    opted_out: bool

    @classmethod
    def of(cls, recipient: Recipient) -> Preferences:
        return cls(
            email=recipient.email or recipient.address,
            name=recipient.name,
            language=recipient.mail_language,
            preferred_language=recipient.preferred_language,
            opted_out=recipient.opted_out,
        )


@dataclass
class Participation:
    """One registration as notifications needs it: who, which meeting, which status,
    and the sessions agenda said the person speaks or moderates in."""

    registration_id: str
    address: str
    meeting_id: str
    role: str
    status: ParticipantStatus
    as_of: datetime | None = None
    sessions: list[str] = field(default_factory=list)
    # a hybrid meeting's participant on site or online (None: not said)
    attendance: str | None = None

    def newer_than(self, as_of: datetime) -> bool:
        """Events of one registration may arrive out of order: the newest state wins."""
        return self.as_of is not None and self.as_of > as_of

    def takes_part_in(self, session_ids: list[str]) -> None:
        for session_id in session_ids:
            if session_id not in self.sessions:
                self.sessions.append(session_id)
