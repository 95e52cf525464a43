"""Plan periods (`2024-2026`) and their reporting periods (one per calendar year)."""

from __future__ import annotations

import re
from datetime import date

from pesnet.shared.errors import InvalidInput
from pesnet.shared.translation import _

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")
# A network action plan runs two or three years (2021-2022, 2024-2026); five is generous.
MAX_PLAN_YEARS = 5


def parse_period(period: str, *, field: str = "period") -> tuple[int, int]:
    """`"2024-2026"` → (2024, 2026); a reversed, malformed or overlong period is a 422."""
    match = PERIOD_PATTERN.match(period)
    if match is None:
        raise InvalidInput(_("a plan period is written YYYY-YYYY, e.g. 2024-2026"), field=field)
    start, end = int(match.group(1)), int(match.group(2))
    if end < start:
        raise InvalidInput(
            _("the period ends ({end}) before it starts ({start}): write {end}-{start}?"),
            field=field,
            params={"start": start, "end": end},
        )
    if not 2000 <= start <= 2100:
        raise InvalidInput(_("the period must start between 2000 and 2100"), field=field)
    if end - start + 1 > MAX_PLAN_YEARS:
        raise InvalidInput(
            _("a plan runs at most {years} years"), field=field, params={"years": MAX_PLAN_YEARS}
        )
    return start, end


def reporting_periods(period: str) -> list[str]:
    """Progress is reported per calendar year of the plan: 2024-2026 → 2024, 2025, 2026."""
    start, end = parse_period(period)
    return [str(year) for year in range(start, end + 1)]


def reporting_period_end(reporting_period: str) -> date:
    """The day a reporting period closes (its last day)."""
    return date(int(reporting_period), 12, 31)


def plan_bounds(period: str) -> tuple[date, date]:
    start, end = parse_period(period)
    return date(start, 1, 1), date(end, 12, 31)
