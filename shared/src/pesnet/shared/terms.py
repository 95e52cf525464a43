"""One terminology: the words of the platform's vocabularies, said the same way on a
badge, in a mail, in the programme, in a report and in an error.

Each vocabulary of the contract (the participant's `Role`, the staff's `StaffRole`,
the statuses of a registration, a meeting and an activity, the sides of a cooperation)
has one table here, value → `Term`. A term is marked `NC_(context, English)`, so
`make translations` puts it in the kernel's catalog with its context (`msgctxt
"role"`, ...) and a translator translates it once, for every service. The English
text is the label ("Head of delegation"); inside a sentence it reads in lower case
(`Term.inline`), and a message takes a term as a value:
`Conflict(_("the registration is {status}"), params={"status": PARTICIPANT_STATUSES[s]})`.

Arabic and French terms follow the network's own documents where they name the thing:
the moderator is المسيّر in the concept note of the 4th meeting (مسيّر الجلسة on a
badge), and the national focal points are جهات الاتصال الوطنية.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pesnet.shared.credentials import StaffRole
from pesnet.shared.events.actionplan import ActivityStatus, CooperationSide
from pesnet.shared.events.agenda import MeetingStatus
from pesnet.shared.events.common import Attendance, ParticipantStatus, Role
from pesnet.shared.i18n import LANGUAGES, Language, Localized
from pesnet.shared.translation import NC_, ProperName, Term, in_language, proper_name

# The network's own name, one in each language (the concept note's Arabic name), said
# by every page, mail, meeting title (so every badge and calendar) and plan title: no
# service writes a copy of it. A message names it as a value: `_("chair of the
# {network}")` with `network=NETWORK_NAME`; a page has it as `network`.
NETWORK_NAME: ProperName = proper_name(
    NC_("network", "OIC Public Employment Services Network (OIC-PESNET)")
)

ROLES: dict[Role, Term] = {
    Role.head_of_delegation: NC_("role", "Head of delegation"),
    Role.delegate: NC_("role", "Delegate"),
    Role.focal_point: NC_("role", "National focal point"),
    Role.speaker: NC_("role", "Speaker"),
    Role.moderator: NC_("role", "Moderator"),
    Role.observer: NC_("role", "Observer"),
    Role.secretariat: NC_("role", "Secretariat"),
}

# the rights of staff accounts; a national focal point is the same person as the role
STAFF_ROLES: dict[StaffRole, Term] = {
    StaffRole.administrator: NC_("staff role", "Administrator"),
    StaffRole.accreditation_officer: NC_("staff role", "Accreditation officer"),
    StaffRole.programme_editor: NC_("staff role", "Programme editor"),
    StaffRole.check_in_clerk: NC_("staff role", "Check-in clerk"),
    StaffRole.actionplan_officer: NC_("staff role", "Action plan officer"),
    StaffRole.focal_point: ROLES[Role.focal_point],
    StaffRole.partners_administrator: NC_("staff role", "Partners administrator"),
}

PARTICIPANT_STATUSES: dict[ParticipantStatus, Term] = {
    ParticipantStatus.registered: NC_("registration status", "Registered"),
    ParticipantStatus.confirmed: NC_("registration status", "Confirmed"),
    ParticipantStatus.waitlisted: NC_("registration status", "Waitlisted"),
    ParticipantStatus.rejected: NC_("registration status", "Rejected"),
    ParticipantStatus.withdrawn: NC_("registration status", "Withdrawn"),
}

ATTENDANCES: dict[Attendance, Term] = {
    "on_site": NC_("attendance", "On site"),
    "online": NC_("attendance", "Online"),
}

MEETING_STATUSES: dict[MeetingStatus, Term] = {
    "tentative": NC_("meeting status", "Tentative"),
    "scheduled": NC_("meeting status", "Scheduled"),
    "registration_open": NC_("meeting status", "Open for registration"),
    "registration_closed": NC_("meeting status", "Closed for registration"),
    "held": NC_("meeting status", "Held"),
    "archived": NC_("meeting status", "Archived"),
}

ACTIVITY_STATUSES: dict[ActivityStatus, Term] = {
    "planned": NC_("activity status", "Planned"),
    "ongoing": NC_("activity status", "Ongoing"),
    "completed": NC_("activity status", "Completed"),
    "postponed": NC_("activity status", "Postponed"),
    "cancelled": NC_("activity status", "Cancelled"),
}

COOPERATION_SIDES: dict[CooperationSide, Term] = {
    "offer": NC_("cooperation side", "Offer"),
    "need": NC_("cooperation side", "Need"),
}

# the network's three working languages (a session's interpretation, a shared working
# language, the language switcher of every page, which names each in itself)
LANGUAGE_TERMS: dict[Language, Term] = {
    Language.ar: NC_("language", "Arabic"),
    Language.en: NC_("language", "English"),
    Language.fr: NC_("language", "French"),
}

# a vocabulary: its values (an enum's members, a contract's literals) → their terms
Vocabulary = Mapping[Any, Term]

# every vocabulary, by the name a test or a check reports
VOCABULARIES: dict[str, Vocabulary] = {
    "role": ROLES,
    "staff role": STAFF_ROLES,
    "registration status": PARTICIPANT_STATUSES,
    "meeting status": MEETING_STATUSES,
    "activity status": ACTIVITY_STATUSES,
    "cooperation side": COOPERATION_SIDES,
    "language": LANGUAGE_TERMS,
}


def term(vocabulary: Vocabulary, value: str) -> Term:
    """The term of `value` in a vocabulary; a value the table does not know (a newer
    contract) stands for itself, in every language."""
    found = vocabulary.get(value)
    return found if found is not None else Term("unknown", value)


def labels(vocabulary: Vocabulary) -> dict[str, Localized]:
    """A vocabulary as labels in the three languages (a badge prints all three)."""
    return {str(value): found.localized() for value, found in vocabulary.items()}


# each language's name as a label in the three languages ("Arabic", "arabe", "العربية")
LANGUAGE_NAMES: dict[str, Localized] = labels(LANGUAGE_TERMS)


def listing(words: Iterable[Term | Localized]) -> Localized:
    """Several words as one value of a message ("one of the roles: {roles}"): terms
    inside the sentence, texts in three languages as they are, separated as each
    language separates a list."""
    items = list(words)
    return Localized(
        **{
            lang.value: ("، " if lang == "ar" else ", ").join(
                str(in_language(item, lang)) for item in items
            )
            for lang in LANGUAGES
        }
    )


__all__ = [
    "ACTIVITY_STATUSES",
    "COOPERATION_SIDES",
    "LANGUAGE_NAMES",
    "LANGUAGE_TERMS",
    "MEETING_STATUSES",
    "NETWORK_NAME",
    "PARTICIPANT_STATUSES",
    "ROLES",
    "STAFF_ROLES",
    "VOCABULARIES",
    "Vocabulary",
    "labels",
    "listing",
    "term",
]
