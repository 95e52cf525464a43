"""The certificate of attendance as a one-page PDF (A4 landscape drawn with Pillow at
150 dpi, saved as PDF), with the QR code of its verification link. Arabic is shaped and
put in visual order as on the badges (`adapters/badge.py`): joined letters, right to
left, whatever the machine's Pillow has."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from pesnet.registration.adapters.badge import _font, qr_png, visual

WIDTH, HEIGHT = 1754, 1240  # A4 landscape at 150 dpi
MARGIN = 120
INK = (20, 33, 61)
ACCENT = (0, 110, 80)
SIZES = {"title": 64, "name": 72, "text": 34, "small": 26}


def _line(draw: ImageDraw.ImageDraw, y: int, text: str, style: str) -> int:
    size = SIZES[style]
    shown = visual(text)
    font = _font(size, bold=style in ("title", "name"))
    while size > 16 and font.getlength(shown) > WIDTH - 2 * MARGIN:
        size -= 2
        font = _font(size, bold=style in ("title", "name"))
    left, top, right, bottom = draw.textbbox((0, 0), shown, font=font)
    fill = ACCENT if style == "title" else INK
    draw.text(((WIDTH - (right - left)) / 2 - left, y - top), shown, font=font, fill=fill)
    return int(y + (bottom - top) + size * 0.9)


def render_certificate_pdf(*, language: str, lines: list[tuple[str, str]], qr_data: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline=ACCENT, width=8)
    y = MARGIN + 20
    for text, style in lines:
        y = _line(draw, y, text, style)
    qr = Image.open(io.BytesIO(qr_png(qr_data, scale=6))).convert("RGB")
    side = min(300, HEIGHT - y - 60)
    if side > 120:
        qr = qr.resize((side, side), Image.Resampling.NEAREST)
        image.paste(qr, ((WIDTH - side) // 2, HEIGHT - 60 - side))
    output = io.BytesIO()
    # the verification link also in the document's metadata (a reader's "properties")
    image.save(output, format="PDF", resolution=150.0, subject=qr_data)
    return output.getvalue()


class PillowCertificateRenderer:
    """The service layer's `CertificateRenderer`."""

    certificate_pdf = staticmethod(render_certificate_pdf)
