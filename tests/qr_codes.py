"""Reading QR codes back from what the platform prints, as a phone's camera would: from
the picture (a badge PNG, the images of a certificate's PDF), never from metadata."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader


def qr_texts_in_image(png: bytes) -> list[str]:
    """The texts of the QR codes a picture shows."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return [found.text for found in zxingcpp.read_barcodes(image) if found.valid]


def qr_texts_in_pdf(pdf: bytes) -> list[str]:
    """The texts of the QR codes drawn in a PDF's pages: each embedded picture decoded."""
    texts: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for picture in page.images:
            if picture.image is None:
                continue
            buffer = io.BytesIO()
            picture.image.convert("RGB").save(buffer, format="PNG")
            texts.extend(qr_texts_in_image(buffer.getvalue()))
    return texts
