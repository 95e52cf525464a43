"""Request validation: every bad value is refused naming its field, all at once."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pesnet.registration.entrypoints.schemas import Correction, NewRegistration
from pesnet.shared.text import clean_line

VALID: dict[str, Any] = {
    "given_name": "Zehra Zümrüt",
    "family_name": "Selçuk",
    "email": "Zehra@ISKUR.example.tr",
    "country": "tur",
    "institution": "İŞKUR",
    "position": "Director General",
    "role": "head_of_delegation",
    "language": "en",
}


def errors(body: dict[str, Any], model: type[Any] = NewRegistration) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_a_valid_registration_is_normalized() -> None:
    command = NewRegistration.model_validate(VALID)
    assert command.country == "TUR"
    assert command.email == "Zehra@iskur.example.tr"  # the domain is case-insensitive
    assert command.name_latin is None


def test_all_bad_fields_are_named_together() -> None:
    body = {
        **VALID,
        "country": "FRA",
        "email": "zehra",
        "role": "emperor",
        "language": "tr",
        "given_name": "",
        "family_name": "x" * 201,
        "institution": {"$ne": ""},
        "position": ["a"],
    }
    assert errors(body) == {
        "country",
        "email",
        "role",
        "language",
        "given_name",
        "family_name",
        "institution",
        "position",
    }


def test_unknown_keys_and_numbers_for_strings_are_refused() -> None:
    assert errors({**VALID, "$where": "sleep(1000)"}) == {"$where"}
    assert errors({**VALID, "given_name": 7}) == {"given_name"}
    assert errors({**VALID, "notes": "x"}) == {"notes"}


def test_optional_texts_are_checked_too() -> None:
    assert errors({**VALID, "honorific": "H.E." * 20}) == {"honorific"}
    assert errors({**VALID, "dietary_notes": "halal\u0007"}) == {"dietary_notes"}
    command = NewRegistration.model_validate(
        {**VALID, "dietary_notes": "halal\nno nuts", "name_latin": "  "}
    )
    assert command.dietary_notes == "halal\nno nuts"
    assert command.name_latin is None


def test_a_correction_cannot_move_a_registration_to_another_delegation() -> None:
    assert errors({"country": "MAR"}, Correction) == {"country"}
    assert errors({"role": "delegate"}, Correction) == {"role"}
    assert Correction.model_validate({"position": " Advisor "}).position == "Advisor"


def test_a_name_the_agenda_accepts_registration_accepts() -> None:
    """Mixed Arabic and Latin names need the right-to-left mark (U+200F): the kernel's
    rule, which the agenda applies to the names of a programme, keeps it, and so does
    registration; a bidirectional override is refused by both."""
    name = "محمد\u200f Ali"
    assert clean_line(name) == name  # the agenda's `CleanText`
    body = {
        "given_name": name,
        "family_name": "Ben Ali",
        "email": "m.benali@example.org",
        "country": "TUN",
        "institution": "ANETI",
        "position": "Director",
        "role": "delegate",
        "language": "ar",
    }
    assert NewRegistration.model_validate(body).given_name == name
    with pytest.raises(ValueError, match="not allowed"):
        clean_line("\u202emirrored")
    assert errors({**body, "given_name": "\u202emirrored"}, NewRegistration) == {"given_name"}
