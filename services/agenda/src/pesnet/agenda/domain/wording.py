"""The agenda's own words in the three languages, from its gettext catalog
(`locale/{ar,fr}/LC_MESSAGES/messages.po`): a text the domain composes once and keeps
(a changelog's summary, a session's notice, a meeting's standard title) is a message
of the catalog with its values filled in each language."""

from __future__ import annotations

from pesnet.shared.translation import Wording

PACKAGE = "pesnet.agenda"
WORDING = Wording(PACKAGE)
said = WORDING.said
said_as = WORDING.said_as
