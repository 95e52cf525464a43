"""Kernel rules used, not copied: every service that takes a name, a title or an
e-mail address takes it by the kernel's rule (`pesnet.shared.text`,
`pesnet.shared.emails`), so what one accepts, the others accept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from pesnet.actionplan.entrypoints.http import FocalPointIn
from pesnet.agenda.entrypoints.schemas import ChairHolderIn, InstitutionIn, PersonIn
from pesnet.identity.entrypoints.http import NewAccount, NewApiToken
from pesnet.notifications.domain.notices import Meeting, registration_notice
from pesnet.notifications.templates import render
from pesnet.shared.emails import InvalidEmail, normalize_email
from pesnet.shared.i18n import Language, Localized
from tests.integration.notifications import notifications_factories as factories

# a mixed Arabic and Latin name needs the right-to-left mark to read as written
WITH_RLM = "محمد\u200f (Mohamed) Alaoui"
# a right-to-left override makes a text read otherwise than it is ("Trojan Source")
WITH_RLO = "Mohamed \u202eiuoalA"


def name_in(model: type[BaseModel], name: str) -> Any:
    """The request body of `model` with `name` where it takes a person's or a thing's name."""
    localized = {"ar": name, "en": name, "fr": name}
    bodies: dict[type[BaseModel], dict[str, Any]] = {
        PersonIn: {"name": localized, "email": "m.alaoui@example.org"},
        InstitutionIn: {"name": localized},
        ChairHolderIn: {
            "institution": "anapec",
            "name": localized,
            "country": "MAR",
            "oic_group": "arab",
        },
        FocalPointIn: {"institution": "anapec", "name": name, "email": "m.alaoui@example.org"},
        NewAccount: {
            "username": "malaoui",
            "password": "a long enough passphrase",
            "roles": ["administrator"],
            "institution": name,
        },
        NewApiToken: {"name": name},
    }
    return model.model_validate(bodies[model])


BODIES = [PersonIn, InstitutionIn, ChairHolderIn, FocalPointIn, NewAccount, NewApiToken]


@pytest.mark.parametrize("model", BODIES, ids=lambda m: m.__name__)
def test_a_name_with_a_right_to_left_mark_is_accepted_everywhere(model: type[BaseModel]) -> None:
    assert WITH_RLM in name_in(model, WITH_RLM).model_dump_json()


@pytest.mark.parametrize("model", BODIES, ids=lambda m: m.__name__)
def test_a_name_with_a_bidirectional_override_is_refused_everywhere(model: type[BaseModel]) -> None:
    with pytest.raises(ValidationError, match="bidirectional-override"):
        name_in(model, WITH_RLO)


def test_notifications_writes_a_name_with_a_right_to_left_mark_as_it_was_registered() -> None:
    payload = factories.participant("registered", "ar", given_name=WITH_RLM)
    meeting = Meeting(
        "pesnet-4",
        "Africa/Casablanca",
        title=factories.MEETING.title,
        start_date=date(2025, 10, 14),
        end_date=date(2025, 10, 15),
    )
    notice = registration_notice(payload, meeting, Language.ar)
    mail = render(notice.kind, "ar", notice.context, preferences_url="u")
    assert WITH_RLM in mail.text
    assert WITH_RLM in mail.html


ADDRESSES = [
    "fatima@example.org",
    "Fatima.Zahra@Example.ORG",
    "فاطمة@example.org",
    "josé@exemple.fr",
    "x@y",
    "no-at-sign.example.org",
    "two@@example.org",
    "a b@example.org",
    "trailing-dot@example.org.",
    "dots..twice@example.org",
    "@example.org",
    "someone@",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_agenda_refuses_and_accepts_the_addresses_registration_does(address: str) -> None:
    """Registration takes addresses by the kernel's `Email`; so do agenda's people."""
    try:
        expected: str | None = normalize_email(address)
    except InvalidEmail:
        expected = None
    body = {"name": Localized(ar="م", en="M", fr="M").model_dump(), "email": address}
    if expected is None:
        with pytest.raises(ValidationError) as refused:
            PersonIn.model_validate(body)
        assert refused.value.errors()[0]["type"] == "invalid_email"
    else:
        assert PersonIn.model_validate(body).person("p").email == expected.lower()
