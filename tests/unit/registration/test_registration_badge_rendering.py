"""Badge rendering: Arabic shaped (joined letter forms, right-to-left) before a
renderer that does neither draws it; a PNG with a scannable-size QR code."""

from __future__ import annotations

import io

from PIL import Image

from pesnet.registration.adapters.badge import has_rtl, qr_png, render_badge_png, visual
from pesnet.registration.seed import PESNET_4
from pesnet.shared.reference import member_states
from pesnet.shared.terms import ROLES, labels

ROLE_LABELS = labels(ROLES)


def test_arabic_is_joined_and_right_to_left() -> None:
    name = "يونس"  # ي و ن س, in logical order
    shown = visual(name)
    # joined: contextual presentation forms (U+FE70..U+FEFF), not the bare letters
    assert all("\ufe70" <= char <= "\ufeff" for char in shown)
    # right-to-left: the first letter (yeh, initial form U+FEF3) is drawn last
    assert shown[-1] == "\ufef3"
    assert shown[0] == "\ufeb2"  # seen, final form (joined to noon), leftmost


def test_latin_text_is_left_alone() -> None:
    assert visual("Zehra Zümrüt Selçuk") == "Zehra Zümrüt Selçuk"
    assert not has_rtl("İŞKUR")
    assert has_rtl("أمينة Benali")


def test_badge_is_a_printable_png() -> None:
    png = render_badge_png(
        meeting_title=PESNET_4.title,
        full_name="يونس السكوري",
        name_latin="Younes Sekkouri",
        honorific=None,
        role=ROLE_LABELS["head_of_delegation"],
        delegation=member_states()["MAR"].name,
        institution="ANAPEC",
        badge_token="b1.0123456789abcdef0123456789abcdef.nonce.signature",
    )
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (827, 1165)
    # the name area is not blank: ink was drawn below the header band
    band = image.crop((40, 180, 787, 300)).convert("L")
    darkest, _ = band.getextrema()
    assert isinstance(darkest, int)
    assert darkest < 100


def test_every_role_has_a_trilingual_label() -> None:
    from pesnet.shared.events.common import Role

    assert set(ROLE_LABELS) == set(Role)
    assert all(label.complete for label in ROLE_LABELS.values())


def test_qr_png() -> None:
    image = Image.open(io.BytesIO(qr_png("b1.x.y.z")))
    assert image.format == "PNG"
    assert image.width == image.height
