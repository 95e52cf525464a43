"""Human text: no control characters, no bidirectional overrides, in any field."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from pesnet.shared.text import CleanLocalized, CleanParagraph, CleanText


class Body(BaseModel):
    name: CleanText
    note: CleanParagraph | None = None
    title: CleanLocalized | None = None


@pytest.mark.parametrize(
    "bad", ["ANA\x00PEC", "Room\u202e1", "a\u2066b", "esc\x1b[31m", "two\nlines", "del\x7f"]
)
def test_a_line_refuses_control_and_bidi_override_characters(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Body(name=bad)
    assert caught.value.errors()[0]["loc"] == ("name",)


def test_arabic_with_its_direction_marks_and_a_paragraph_pass() -> None:
    body = Body(name="فاطمة\u200f ANAPEC", note="line one\nline two\tend", title={"en": "A\nB"})
    assert body.name.startswith("فاطمة")
    with pytest.raises(ValidationError):
        Body(name="x", note="x\u202ey")
    with pytest.raises(ValidationError) as caught:
        Body(name="x", title={"fr": "x\x00"})
    assert caught.value.errors()[0]["loc"] == ("title", "fr")
