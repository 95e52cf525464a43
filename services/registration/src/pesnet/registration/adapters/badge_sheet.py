"""The printed badge sheet: a PDF of A4 pages, four A6-sized badges to a page with
cutting marks, for the desk to print a whole meeting or one delegation at once.

Each badge says what the single badge (`badge.py`) says, drawn as text with the same
font (Amiri) and the same Arabic shaping (joined letters in right-to-left order, so no
shaping engine is needed), with the check-in QR code and the short code under it that
the desk can type. Text stays text: the codes can be searched and read back."""

from __future__ import annotations

from functools import cache

import fontpkg_amiri
from fpdf import FPDF

from pesnet.registration.adapters.badge import PillowBadgeRenderer, qr_png, visual
from pesnet.registration.service_layer.participants import PrintedBadge
from pesnet.shared.i18n import Localized

PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
BADGE_W, BADGE_H = 92.0, 134.0
GAP = 8.0  # between badges: room for the cutting marks
MARK = 4.0  # a cutting mark's length
LEFT = (PAGE_W - 2 * BADGE_W - GAP) / 2
TOP = (PAGE_H - 2 * BADGE_H - GAP) / 2
PER_PAGE = 4
INK = (20, 33, 61)
ACCENT = (0, 110, 80)
PAD = 5.0


@cache
def _font_path(bold: bool) -> str:
    return str(fontpkg_amiri.ROOT / "files" / ("Amiri-Bold.ttf" if bold else "Amiri-Regular.ttf"))


class _Sheet(FPDF):
    def setup(self) -> None:
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.add_font("Amiri", "", _font_path(False))
        self.add_font("Amiri", "B", _font_path(True))

    def line_of(self, x: float, y: float, text: str, size: float, *, bold: bool = False) -> float:
        """One centered line in the badge at (x, y), shrunk to fit; returns the y below."""
        shown = visual(text)
        style = "B" if bold else ""
        while size > 6:
            self.set_font("Amiri", style, size)
            if self.get_string_width(shown) <= BADGE_W - 2 * PAD:
                break
            size -= 0.5
        height = size * 0.5
        self.set_xy(x + PAD, y)
        self.cell(BADGE_W - 2 * PAD, height, shown, align="C")
        return y + height

    def cutting_marks(self, x: float, y: float) -> None:
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)
        for cx in (x, x + BADGE_W):
            for cy in (y, y + BADGE_H):
                out_x = -1 if cx == x else 1
                out_y = -1 if cy == y else 1
                self.line(cx + out_x * 1, cy, cx + out_x * (1 + MARK), cy)
                self.line(cx, cy + out_y * 1, cx, cy + out_y * (1 + MARK))

    def badge(self, x: float, y: float, title: Localized, badge: PrintedBadge) -> None:
        self.cutting_marks(x, y)
        self.set_fill_color(*ACCENT)
        self.rect(x, y, BADGE_W, 20, style="F")
        self.set_text_color(255, 255, 255)
        line = y + 1.5
        for language in ("ar", "en", "fr"):
            line = self.line_of(x, line, title.get(language), 9, bold=language == "ar")
        self.set_text_color(*INK)
        line = self.line_of(x, y + 24, badge.full_name, 20, bold=True)
        if badge.name_latin and badge.name_latin != badge.full_name:
            line = self.line_of(x, line, badge.name_latin, 12)
        line = self.line_of(x, line + 1, badge.institution, 10)
        self.set_text_color(*ACCENT)
        delegation = badge.delegation
        line = self.line_of(x, line, f"{delegation.get('en')} · {delegation.get('fr')}", 10)
        line = self.line_of(x, line, delegation.get("ar"), 11)
        self.set_text_color(*INK)
        line = self.line_of(
            x, line + 1, f"{badge.role.get('en')} · {badge.role.get('fr')}", 12, bold=True
        )
        self.line_of(x, line, badge.role.get("ar"), 13, bold=True)
        side = 38.0
        qr_y = y + BADGE_H - side - 14
        self.image(qr_png(badge.badge_token, scale=4), x + (BADGE_W - side) / 2, qr_y, side, side)
        if badge.short_code:
            self.set_font("Amiri", "B", 16)
            self.set_xy(x + PAD, qr_y + side + 1)
            self.cell(BADGE_W - 2 * PAD, 8, badge.short_code, align="C")


def render_badge_sheet(*, meeting_title: Localized, badges: list[PrintedBadge]) -> bytes:
    """Four badges to an A4 page (at least one page, empty when nobody is confirmed)."""
    sheet = _Sheet(orientation="P", unit="mm", format="A4")
    sheet.setup()
    sheet.set_title(visual(meeting_title.get("en")))
    sheet.add_page()
    for index, badge in enumerate(badges):
        if index and index % PER_PAGE == 0:
            sheet.add_page()
        place = index % PER_PAGE
        x = LEFT + (place % 2) * (BADGE_W + GAP)
        y = TOP + (place // 2) * (BADGE_H + GAP)
        sheet.badge(x, y, meeting_title, badge)
    return bytes(sheet.output())


class BadgeRenderer(PillowBadgeRenderer):
    """The service layer's renderers of badges: one (PNG) and a sheet of them (PDF)."""

    badge_sheet_pdf = staticmethod(render_badge_sheet)
