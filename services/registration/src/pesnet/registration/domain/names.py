"""How registration takes the text people write: names, institutions, positions, notes.

The rule of which characters a human text may hold is the kernel's
(`pesnet.shared.text`): control characters and the bidirectional embeddings,
overrides and isolates are refused; the right-to-left and left-to-right marks
(U+200F, U+200E), which mixed Arabic and Latin names need, and the zero-width
(non-)joiners of Persian and Urdu names are not. So a name the agenda accepts,
registration accepts. Here the text is also NFC-normalized, trimmed and bounded, and
a refusal names the field and the character, in the caller's language."""

from __future__ import annotations

import unicodedata

from pesnet.shared.errors import InvalidInput
from pesnet.shared.reference import member_states
from pesnet.shared.text import refused_characters
from pesnet.shared.translation import _

MAX_NAME = 200


def clean_text(
    value: str,
    field: str,
    *,
    max_length: int = MAX_NAME,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """NFC-normalized, trimmed text the kernel's rule allows, 1..max_length long."""
    text = unicodedata.normalize("NFC", value).strip()
    refused = refused_characters(text, multiline=multiline)
    if refused:
        raise InvalidInput(
            _("contains a control character ({code})"), field=field, params={"code": refused[0]}
        )
    if required and not text:
        raise InvalidInput(_("must not be empty"), field=field)
    if len(text) > max_length:
        raise InvalidInput(
            _("must be at most {limit} characters"), field=field, params={"limit": max_length}
        )
    return text


def normalize_country(value: str, field: str = "country") -> str:
    """The ISO 3166-1 alpha-3 code of an OIC member state, in capitals."""
    code = value.strip().upper()
    if code not in member_states():
        raise InvalidInput(
            _("{value} is not the ISO 3166-1 alpha-3 code of an OIC member state"),
            field=field,
            params={"value": value},
        )
    return code
