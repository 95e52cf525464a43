"""Printable badges (PNG, A6 portrait at 200 dpi) and QR codes.

Arabic is shaped before drawing: `arabic-reshaper` picks the joined letter forms
and `python-bidi` puts the text in visual (right-to-left) order, and Pillow draws
with its basic layout, so the result does not depend on whether the machine's
Pillow has libraqm/FriBiDi. The font is Amiri (OFL), which has Arabic and Latin
glyphs, installed from PyPI by the `fontpkg-amiri` package: no system font needed.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache

import arabic_reshaper
import fontpkg_amiri
import segno
from bidi import get_display
from PIL import Image, ImageDraw, ImageFont

from pesnet.shared.i18n import Localized

WIDTH, HEIGHT = 827, 1165  # A6 at 200 dpi
MARGIN = 40
INK = (20, 33, 61)
ACCENT = (0, 110, 80)
BAND = (0, 110, 80)


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "Amiri-Bold.ttf" if bold else "Amiri-Regular.ttf"
    return ImageFont.truetype(
        str(fontpkg_amiri.ROOT / "files" / name), size, layout_engine=ImageFont.Layout.BASIC
    )


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def visual(text: str) -> str:
    """Text as it must be drawn by a renderer that neither shapes nor reorders:
    Arabic letters joined (presentation forms) and runs in right-to-left order."""
    if not has_rtl(text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def qr_png(data: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _fit(text: str, size: int, bold: bool, width: int) -> ImageFont.FreeTypeFont:
    """The largest font up to `size` in which `text` fits `width`."""
    while size > 14:
        font = _font(size, bold)
        if font.getlength(text) <= width:
            return font
        size -= 2
    return _font(size, bold)


def _centered(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    size: int,
    *,
    bold: bool = False,
    fill: tuple[int, int, int] = INK,
) -> int:
    """Draw one centered line (shaped if Arabic); returns the y below it."""
    shown = visual(text)
    font = _fit(shown, size, bold, WIDTH - 2 * MARGIN)
    left, top, right, bottom = draw.textbbox((0, 0), shown, font=font)
    draw.text(((WIDTH - (right - left)) / 2 - left, y - top), shown, font=font, fill=fill)
    return int(y + (bottom - top) + font.size * 0.45)


def render_badge_png(
    *,
    meeting_title: Localized,
    full_name: str,
    name_latin: str | None,
    honorific: str | None,
    role: Localized,
    delegation: Localized,
    institution: str,
    badge_token: str,
) -> bytes:
    """A trilingual badge: the meeting and the role in ar/en/fr, the name in the
    person's own script (and its Latin transliteration), and the check-in QR code."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 150), fill=BAND)
    y = 18
    for language in ("ar", "en", "fr"):
        y = _centered(
            draw, y, meeting_title.get(language), 30, bold=language == "ar", fill=(255, 255, 255)
        )
    y = max(y, 170) + 20
    name = f"{honorific} {full_name}" if honorific and not has_rtl(full_name) else full_name
    y = _centered(draw, y, name, 72, bold=True)
    if name_latin and name_latin != full_name:
        y = _centered(draw, y, name_latin, 40)
    y += 10
    y = _centered(draw, y, institution, 30)
    y = _centered(
        draw, y, " · ".join(delegation.get(lang) for lang in ("en", "fr")), 32, fill=ACCENT
    )
    y = _centered(draw, y, delegation.get("ar"), 34, fill=ACCENT)
    y += 10
    draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + 3), fill=BAND)
    y += 24
    y = _centered(draw, y, f"{role.get('en')} · {role.get('fr')}", 40, bold=True)
    y = _centered(draw, y, role.get("ar"), 44, bold=True)
    qr = Image.open(io.BytesIO(qr_png(badge_token, scale=7))).convert("RGB")
    side = min(qr.width, HEIGHT - y - MARGIN)
    if side > 120:
        qr = qr.resize((side, side), Image.Resampling.NEAREST)
        image.paste(qr, ((WIDTH - side) // 2, HEIGHT - MARGIN - side))
    output = io.BytesIO()
    image.save(output, format="PNG", dpi=(200, 200))
    return output.getvalue()


class PillowBadgeRenderer:
    """The service layer's `BadgeRenderer`, drawn with Pillow."""

    badge_png = staticmethod(render_badge_png)
    qr_png = staticmethod(qr_png)
