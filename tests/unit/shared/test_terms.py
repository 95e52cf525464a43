"""One terminology: every value of the contract's vocabularies has one term, translated
once in the kernel's catalog (with its context), and a message that names a term says
it in the message's language."""

from __future__ import annotations

from typing import get_args

import pytest

from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict
from pesnet.shared.events.actionplan import ActivityStatus, CooperationSide
from pesnet.shared.events.agenda import MeetingStatus
from pesnet.shared.events.common import ParticipantStatus, Role
from pesnet.shared.terms import (
    ACTIVITY_STATUSES,
    COOPERATION_SIDES,
    MEETING_STATUSES,
    PARTICIPANT_STATUSES,
    ROLES,
    STAFF_ROLES,
    VOCABULARIES,
    labels,
    listing,
    term,
)
from pesnet.shared.translation import Term, translate, translated


@pytest.mark.parametrize(
    ("vocabulary", "values"),
    [
        (ROLES, {r.value for r in Role}),
        (STAFF_ROLES, {r.value for r in StaffRole}),
        (PARTICIPANT_STATUSES, {s.value for s in ParticipantStatus}),
        (MEETING_STATUSES, set(get_args(MeetingStatus))),
        (ACTIVITY_STATUSES, set(get_args(ActivityStatus))),
        (COOPERATION_SIDES, set(get_args(CooperationSide))),
    ],
)
def test_every_value_of_a_contract_vocabulary_has_a_term(
    vocabulary: dict[str, Term], values: set[str]
) -> None:
    assert set(vocabulary) == values


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_every_term_is_translated_in_the_kernel_catalog(language: str) -> None:
    for name, vocabulary in VOCABULARIES.items():
        for value, word in vocabulary.items():
            assert translated(word.text, language, context=word.context), (name, value)
            assert word.get(language) != word.text, (name, value, language)


def test_the_focal_point_is_one_term_as_a_role_and_as_a_staff_role() -> None:
    assert STAFF_ROLES[StaffRole.focal_point] is ROLES[Role.focal_point]
    assert ROLES[Role.focal_point].get("ar") == "جهة الاتصال الوطنية"


def test_a_context_keeps_apart_words_spelled_alike() -> None:
    # "Moderator" the role is translated under its context, not as any "Moderator"
    assert translate("Moderator", "ar") == "Moderator"
    assert ROLES[Role.moderator].get("ar") == "مسيّر الجلسة"
    assert ROLES[Role.moderator].get("fr") == "Modérateur"


def test_a_term_is_a_label_and_reads_in_lower_case_inside_a_sentence() -> None:
    withdrawn = PARTICIPANT_STATUSES[ParticipantStatus.withdrawn]
    assert (withdrawn.get("en"), withdrawn.inline("en")) == ("Withdrawn", "withdrawn")
    assert (withdrawn.get("fr"), withdrawn.inline("fr")) == ("Retirée", "retirée")
    assert withdrawn.inline("ar") == withdrawn.get("ar") == "مسحوب"
    assert labels(ROLES)["speaker"].model_dump() == {
        "ar": "متحدث",
        "en": "Speaker",
        "fr": "Intervenant",
    }


def test_a_message_says_its_terms_in_its_own_language() -> None:
    roles = listing(STAFF_ROLES[r] for r in (StaffRole.check_in_clerk, StaffRole.focal_point))
    message = "this needs one of the roles: {roles}"
    assert translate(message, "en", {"roles": roles}) == (
        "this needs one of the roles: check-in clerk, national focal point"
    )
    assert translate(message, "fr", {"roles": roles}) == (
        "ceci requiert l'un des rôles : agent d'accueil, point focal national"
    )
    assert translate(message, "ar", {"roles": roles}) == (
        "يتطلب هذا أحد الأدوار التالية: موظف تسجيل الحضور، جهة الاتصال الوطنية"
    )
    # logs and English answers read the English term inside the sentence
    error = Conflict(
        "the registration is {status}", params={"status": term(PARTICIPANT_STATUSES, "withdrawn")}
    )
    assert error.text == "the registration is withdrawn"


def test_a_value_a_newer_contract_adds_stands_for_itself() -> None:
    assert term(ROLES, "rapporteur").get("ar") == "rapporteur"
