"""The agenda's own words in the three languages, from its gettext catalog
(`locale/{ar,fr}/LC_MESSAGES/messages.po`): a text the domain composes once and keeps
(a changelog's summary, a session's notice, a meeting's standard title) is a message
of the catalog with its values filled in each language."""

from __future__ import annotations

from pesnet.shared.translation import NC_, Term, Wording

PACKAGE = "pesnet.agenda"
WORDING = Wording(PACKAGE)
said = WORDING.said
said_as = WORDING.said_as

# the kinds of programme sessions, one term each (context "session kind")
SESSION_KINDS: dict[str, Term] = {
    "registration": NC_("session kind", "Registration", PACKAGE),
    "opening": NC_("session kind", "Opening", PACKAGE),
    "presentation": NC_("session kind", "Presentation", PACKAGE),
    "panel": NC_("session kind", "Panel", PACKAGE),
    "roundtable": NC_("session kind", "Round table", PACKAGE),
    "discussion": NC_("session kind", "Discussion", PACKAGE),
    "break": NC_("session kind", "Break", PACKAGE),
    "closing": NC_("session kind", "Closing", PACKAGE),
    "social": NC_("session kind", "Social programme", PACKAGE),
}
