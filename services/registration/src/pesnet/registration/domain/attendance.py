"""Reading a meeting tool's attendance list (a CSV export of an online meeting: one
participant a line, their e-mail address in a column whose heading says so, or the
first cell that is an address). Pure: the import use case matches the addresses to
the meeting's registrations."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

EMAIL_HEADINGS = ("email", "e-mail", "mail", "courriel", "البريد")
MAX_LINES = 5000


@dataclass(frozen=True)
class AttendanceLine:
    number: int  # the line of the file (1: the first)
    email: str | None  # None: no address on this line


def _is_address(cell: str) -> bool:
    local, at, domain = cell.strip().partition("@")
    return bool(at and local and "." in domain and " " not in cell.strip())


def attendance_lines(text: str) -> list[AttendanceLine]:
    """Each line of the list with the address it gives (a heading line is skipped)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect=_dialect(text)))
    column: int | None = None
    lines: list[AttendanceLine] = []
    for number, row in enumerate(rows[:MAX_LINES], start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and not any(_is_address(c) for c in cells):
            headings = [c.lower() for c in cells]
            column = next(
                (i for i, h in enumerate(headings) if any(w in h for w in EMAIL_HEADINGS)), None
            )
            continue
        if column is not None and column < len(cells) and _is_address(cells[column]):
            lines.append(AttendanceLine(number, cells[column].lower()))
            continue
        found = next((c for c in cells if _is_address(c)), None)
        lines.append(AttendanceLine(number, found.lower() if found else None))
    return lines


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if first.count(";") > first.count(",") or first.count("\t") > first.count(","):
        return _Semicolon if first.count(";") >= first.count("\t") else csv.excel_tab
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"
