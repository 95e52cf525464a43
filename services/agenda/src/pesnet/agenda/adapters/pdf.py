"""Printable documents (the final communiqué) as PDF: A4 pages drawn with Pillow at
150 dpi, the way registration draws its badges.

Arabic is shaped before drawing: `arabic-reshaper` picks the joined letter forms and
`python-bidi` puts each line in visual (right-to-left) order, and Pillow draws with its
basic layout, so the result does not depend on whether the machine's Pillow has
libraqm/FriBiDi. Lines are broken on the logical text (words in reading order), then each
line is shaped on its own. The font is Amiri (OFL, Arabic and Latin glyphs) from the
`fontpkg-amiri` wheel: no system font needed."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from functools import cache

import arabic_reshaper
import fontpkg_amiri
from bidi import get_display
from PIL import Image, ImageDraw, ImageFont

from pesnet.agenda.service_layer.rendering import Block

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
MARGIN = 110
INK = (20, 33, 61)
ACCENT = (0, 110, 80)
MUTED = (90, 90, 90)
SIZES = {"title": 40, "heading": 30, "text": 26, "note": 21}


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "Amiri-Bold.ttf" if bold else "Amiri-Regular.ttf"
    return ImageFont.truetype(
        str(fontpkg_amiri.ROOT / "files" / name), size, layout_engine=ImageFont.Layout.BASIC
    )


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def visual(text: str) -> str:
    """Text as a renderer that neither shapes nor reorders must draw it."""
    if not has_rtl(text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def _lines(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`text` broken into lines that fit `width` (measured as drawn)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(visual(candidate)) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


class _Pages:
    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl
        self.images: list[Image.Image] = []
        self._new_page()

    def _new_page(self) -> None:
        self.image = Image.new("RGB", (WIDTH, HEIGHT), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.draw.rectangle((0, 0, WIDTH, 24), fill=ACCENT)
        self.images.append(self.image)
        self.y = MARGIN

    def block(self, block: Block) -> None:
        font = _font(SIZES[block.style], bold=block.style in ("title", "heading"))
        fill = {"title": ACCENT, "note": MUTED}.get(block.style, INK)
        indent = 0 if block.number is None else 70
        width = WIDTH - 2 * MARGIN - indent
        step = int(font.size * 1.55)
        for n, line in enumerate(_lines(block.text, font, width)):
            if self.y + step > HEIGHT - MARGIN:
                self._new_page()
            shown = visual(line)
            length = font.getlength(shown)
            if block.style == "title":
                x = (WIDTH - length) / 2
            elif self.rtl:
                x = WIDTH - MARGIN - indent - length
            else:
                x = MARGIN + indent
            if n == 0 and block.number is not None:
                number = f"{block.number}."
                nx = WIDTH - MARGIN - font.getlength(number) if self.rtl else MARGIN
                self.draw.text((nx, self.y), number, font=_font(font.size, True), fill=ACCENT)
            self.draw.text((x, self.y), shown, font=font, fill=fill)
            self.y += step
        self.y += int(font.size * 0.8)


def render_pdf(blocks: Sequence[Block], *, rtl: bool, title: str) -> bytes:
    """The blocks on as many A4 pages as they need, as one PDF."""
    pages = _Pages(rtl)
    for block in blocks:
        pages.block(block)
    output = io.BytesIO()
    first, *rest = pages.images
    first.save(
        output, format="PDF", save_all=True, append_images=rest, resolution=150.0, title=title
    )
    return output.getvalue()


class PillowDocuments:
    """The service layer's `DocumentRenderer`, drawn with Pillow."""

    pdf = staticmethod(render_pdf)
