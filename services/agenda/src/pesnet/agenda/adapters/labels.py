"""The fixed words of the rendered programme, from the agenda's gettext catalog
(`locale/{ar,fr}/LC_MESSAGES/messages.po`), in the three working languages. The role
words are the kernel's terms (`pesnet.shared.terms`): the programme names the moderator
as the badge and the mails do. Session kinds are the agenda's own vocabulary, one term
each (context "session kind")."""

from __future__ import annotations

from pesnet.agenda.domain.wording import PACKAGE, SESSION_KINDS
from pesnet.shared.events.common import Role
from pesnet.shared.i18n import Localized
from pesnet.shared.terms import ROLES, labels
from pesnet.shared.translation import N_, localized

_WORDS: dict[str, str] = {
    "programme": N_("Programme"),
    "version": N_("Version"),
    "draft": N_("Unpublished draft"),
    "released_on": N_("Published on"),
    "times_in": N_("All times are local time"),
    "time": N_("Time"),
    "session": N_("Session"),
    "speakers": N_("Speakers"),
    "moderating_institutions": N_("Moderated by"),
    "room": N_("Room"),
    "open_end": N_("open end"),
    "flagged": N_("Under review: a speaker withdrew"),
    "changes": N_("Changes in this version"),
    "interpretation": N_("Interpretation"),
    "venue": N_("Venue"),
    "host": N_("Host institution"),
    "chair": N_("Chair institution"),
}

LABELS: dict[str, Localized] = {
    **{key: localized(message, packages=(PACKAGE,)) for key, message in _WORDS.items()},
    # one moderator or several, the programme names the role
    "moderators": ROLES[Role.moderator].localized(),
}

KIND_LABELS: dict[str, Localized] = labels(SESSION_KINDS)


def label(key: str, language: str) -> str:
    return LABELS[key].get(language)
