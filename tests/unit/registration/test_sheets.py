"""The participants export's pieces: its times written as the kernel writes them (in
the meeting's zone, each language's short form) and the XLSX a spreadsheet program
opens, right to left in Arabic, formulas neutralized, unprintable characters left out."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from pesnet.registration.entrypoints.sheets import as_xlsx, local_time_writer
from pesnet.shared.i18n import format_local_datetime


@pytest.mark.parametrize("language", ["ar", "en", "fr"])
@pytest.mark.parametrize("zone", ["Africa/Casablanca", "Asia/Baku", "Europe/Istanbul"])
def test_an_exports_times_read_as_the_kernel_writes_them(language: str, zone: str) -> None:
    say = local_time_writer(zone, language)
    # across a change of time (Casablanca's Ramadan hour) and two years, odd seconds
    start = datetime(2026, 2, 10, 23, 59, 59, 999, tzinfo=UTC)
    for n in range(0, 2000):
        at = start + timedelta(minutes=617 * n, seconds=n % 61)
        assert say(at) == format_local_datetime(at, zone, language, "short")


def test_the_xlsx_reads_back_right_to_left_with_formulas_as_text() -> None:
    head = ["الاسم", "البريد"]
    body = iter([["=1+1", "a@example.org"], ["فاطمة\x07", "<b>&amp;"]])
    data = as_xlsx(head, body, title="pesnet-demo", rtl=True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "pesnet-demo"
    assert sheet.sheet_view.rightToLeft
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["الاسم", "البريد"],
        ["'=1+1", "a@example.org"],
        ["فاطمة", "<b>&amp;"],
    ]
