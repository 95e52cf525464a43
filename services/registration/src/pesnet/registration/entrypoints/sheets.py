"""A meeting's participants as a spreadsheet (CSV or XLSX), in the staff member's
language: labelled columns, roles and statuses as the kernel's terms say them, the
institution as the reference names it in that language, times in the meeting's zone.
Formulas are neutralized (a name that starts with `=` stays text)."""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_date_format, get_datetime_format, get_time_format

from pesnet.registration.domain.institution import Institution, known_as
from pesnet.registration.domain.meeting import Meeting
from pesnet.registration.domain.roster import Listed
from pesnet.registration.entrypoints.workbook import xlsx
from pesnet.shared.i18n import BABEL_LOCALE
from pesnet.shared.reference import member_states
from pesnet.shared.terms import ATTENDANCES, PARTICIPANT_STATUSES, ROLES
from pesnet.shared.translation import N_, translate

PACKAGE = "pesnet.registration"
CSV_CHUNK_ROWS = 250
COLUMNS = (
    N_("Family name"),
    N_("Given name"),
    N_("Name in Latin letters"),
    N_("E-mail"),
    N_("Member state"),
    N_("Institution"),
    N_("Position"),
    N_("Role"),
    N_("Status"),
    N_("Registered at"),
    N_("Badge code"),
    N_("Checked in at"),
    # added last: columns keep their places in the files people have already read
    N_("Takes part"),
)


def local_time_writer(tz: str, language: str) -> Callable[[datetime], str]:
    """`format_local_datetime(at, tz, language, "short")` for the many instants of a
    list: each day's date and each minute's time written once (babel writes a pattern
    at some 40 µs; a list of thousands has far fewer days and minutes)."""
    locale = Locale.parse(BABEL_LOCALE.get(language, "en_GB"))
    zone = ZoneInfo(tz)
    both = str(get_datetime_format("short", locale=locale)).replace("'", "")
    date_pattern = get_date_format("short", locale=locale)
    time_pattern = get_time_format("short", locale=locale)

    @functools.cache
    def day(value: date) -> str:
        return date_pattern.apply(value, locale)

    @functools.cache
    def minute(value: time) -> str:
        return time_pattern.apply(value, locale)

    def say(at: datetime) -> str:
        local = at.astimezone(zone)
        clock = local.timetz().replace(microsecond=0)
        if "s" not in time_pattern.pattern:  # shown to the minute
            clock = clock.replace(second=0)
        return both.replace("{0}", minute(clock)).replace("{1}", day(local.date()))

    return say


def header(language: str) -> list[str]:
    return [translate(c, language, packages=(PACKAGE,)) for c in COLUMNS]


def rows(
    meeting: Meeting,
    registrations: list[Listed],
    institutions: Mapping[str, Institution],
    language: str,
) -> Iterator[list[str]]:
    """One row per registration, in the order of `COLUMNS`."""
    # each label said once per list, not once per row
    states = {code: state.name.get(language) for code, state in member_states().items()}
    roles = {role: term.get(language) for role, term in ROLES.items()}
    statuses = {status: term.get(language) for status, term in PARTICIPANT_STATUSES.items()}
    attendances = {kind: term.get(language) for kind, term in ATTENDANCES.items()}

    say = local_time_writer(meeting.timezone, language)

    def when(at: datetime | None) -> str:
        return say(at) if at else ""

    labels: dict[tuple[str | None, str | None], str] = {}

    def institution(r: Listed) -> str:
        # one look in the reference per institution of the list, not per row
        key = (r.institution_id, r.institution)
        if key not in labels:
            found = institutions.get(r.institution_id or "") or known_as(
                institutions.values(), r.institution
            )
            labels[key] = found.label(language) if found is not None else r.institution or ""
        return labels[key]

    for r in registrations:
        yield [
            r.family_name or "",
            r.given_name or "",
            r.name_latin or "",
            r.email or "",
            states.get(r.country or "", ""),
            institution(r),
            r.position or "",
            roles[r.role],
            statuses[r.status],
            when(r.registered_at),
            r.short_code or "",
            when(r.checked_in_at),
            attendances[r.attendance] if r.attendance else "",
        ]


def safe(value: Any) -> str:
    """Neutralize spreadsheet formulas."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(head: list[str], body: Iterator[list[str]]) -> Iterator[str]:
    """UTF-8 with a BOM (spreadsheet programs then read Arabic correctly), by chunks of
    `CSV_CHUNK_ROWS` rows (a chunk per row crossed the middlewares thousands of times)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(head)
    for n, row in enumerate(body, start=1):
        writer.writerow([safe(v) for v in row])
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def as_xlsx(head: list[str], body: Iterator[list[str]], *, title: str, rtl: bool) -> bytes:
    """An XLSX workbook of one sheet (text cells, formulas neutralized)."""
    return xlsx(itertools.chain([head], ([safe(v) for v in row] for row in body)),
                title=title, rtl=rtl)  # fmt: skip
