"""The development seed registers the 4th meeting's people as they would register:
an Arabic reader under their Arabic name (the Latin one kept for the badge)."""

from __future__ import annotations

from pesnet.devtools.seed_meeting4 import registrations_for

MEETING = {
    "people": {
        "sekkouri": {
            "name": {"ar": "يونس السكوري", "en": "Younes Sekkouri", "fr": "Younes Sekkouri"},
            "institution": "ministry",
            "position": {"en": "Minister"},
        },
        "dur": {
            "name": {"ar": "فارول دور", "en": "Varol Dur", "fr": "Varol Dur"},
            "institution": "iskur",
        },
    },
    "institutions": {
        "ministry": {"name": {"en": "Ministry"}, "country": "MAR"},
        "iskur": {"name": {"en": "İŞKUR"}, "country": "TUR"},
    },
    "organisers": [],
}
DRAFT = {"sessions": [{"moderators": ["sekkouri"], "speakers": ["dur"]}]}


def test_an_arabic_reader_registers_under_the_arabic_name() -> None:
    bodies = registrations_for(MEETING, DRAFT)

    sekkouri = bodies["sekkouri@example.org"]
    assert (sekkouri["given_name"], sekkouri["family_name"]) == ("يونس", "السكوري")
    assert sekkouri["name_latin"] == "Younes Sekkouri"
    assert sekkouri["language"] == "ar"
    dur = bodies["dur@example.org"]
    assert (dur["given_name"], dur["family_name"], dur["language"]) == ("Varol", "Dur", "en")
    assert "name_latin" not in dur


def test_an_institution_of_the_reference_is_named_by_its_id() -> None:
    """Registration then keeps its name in the person's language (the mails say it) and
    the action plan shows it by name; one the reference lacks stays in free text."""
    bodies = registrations_for(MEETING, DRAFT, reference={"iskur"})

    dur = bodies["dur@example.org"]
    assert dur["institution_id"] == "iskur"
    assert "institution" not in dur
    sekkouri = bodies["sekkouri@example.org"]
    assert sekkouri["institution"] == "Ministry"
    assert "institution_id" not in sekkouri
