"""Reading a meeting tool's attendance list (a CSV export of an online meeting: one
participant a line, their e-mail address in a column whose heading says so, or the
first cell that is an address), from the file's bytes in the encodings such tools
write: UTF-8 (with or without its mark) or UTF-16 with its mark. Each line keeps the
column its address came from (or should have), so a person can find it in the file.
Pure: the import use case matches the addresses to the meeting's registrations."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pesnet.shared.errors import InvalidInput
from pesnet.shared.translation import _

EMAIL_HEADINGS = ("email", "e-mail", "mail", "courriel", "البريد")
MAX_LINES = 5000


@dataclass(frozen=True)
class AttendanceLine:
    number: int  # the line of the file (1: the first)
    email: str | None  # None: no address on this line
    # the column (1: the first) the address is in, or the one the heading names for it
    column: int | None = None
    # what that column holds instead of an address
    not_an_address: str | None = None


def list_text(data: bytes, field: str = "file") -> str:
    """The text of an uploaded list, or a refusal naming the line and column where its
    bytes stop being text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput(_("the file is not text in UTF-16"), field=field) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        start = data.rfind(b"\n", 0, bad.start) + 1
        column = len(data[start : bad.start].decode("utf-8", errors="replace")) + 1
        raise InvalidInput(
            _("the file is not text in UTF-8: line {line}, column {column}"),
            field=field,
            params={"line": data.count(b"\n", 0, bad.start) + 1, "column": column},
        ) from None


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
        lines.append(_line(number, cells, column))
    return lines


def _line(number: int, cells: list[str], column: int | None) -> AttendanceLine:
    """A line's address: in the column the heading names, else its first address."""
    named = cells[column] if column is not None and column < len(cells) else ""
    if _is_address(named):
        return AttendanceLine(number, named.lower(), column=_place(column))
    if named:
        return AttendanceLine(number, None, column=_place(column), not_an_address=named)
    found = next((i for i, c in enumerate(cells) if _is_address(c)), None)
    if found is None:
        return AttendanceLine(number, None, column=_place(column))
    return AttendanceLine(number, cells[found].lower(), column=found + 1)


def _place(column: int | None) -> int | None:
    return None if column is None else column + 1


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if first.count(";") > first.count(",") or first.count("\t") > first.count(","):
        return _Semicolon if first.count(";") >= first.count("\t") else csv.excel_tab
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"
