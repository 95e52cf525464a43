"""Local wall-clock times in a meeting's time zone.

A programme is written in local time ("09:30, Thursday 29 February" in Marrakech).
The instant that denotes depends on the zone's rules for that date: Morocco is at
UTC+01:00 most of the year and moves to UTC+00:00 during Ramadan, and the tz
database knows when. Two rules here keep times honest:

- a local time that does not exist (the clock jumps over it) or exists twice
  (the clock goes back over it) is refused, never guessed;
- a time given *with* a UTC offset must carry the offset the zone really has at
  that moment; a mismatch is refused instead of being silently converted (which
  would shift the session by the difference).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pesnet.shared.errors import InvalidInput
from pesnet.shared.translation import _


def zone_of(name: str, *, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            _("unknown time zone {zone} (use an IANA name such as Africa/Casablanca)"),
            field=field,
            params={"zone": name},
        ) from None


def format_offset(offset: timedelta | None) -> str:
    """`+01:00`, `+00:00`, `-03:30`."""
    total = int((offset or timedelta()).total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{(total % 3600) // 60:02d}"


def local_instant(day: date, wall: time, zone: ZoneInfo, *, field: str) -> datetime:
    """The aware local datetime of `wall` on `day` in `zone`, refusing gaps and overlaps."""
    naive = datetime.combine(day, wall.replace(tzinfo=None))
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise InvalidInput(
                _(
                    "{time} does not exist on {day} in {zone}: the clock jumps over it; choose "
                    "another time"
                ),
                field=field,
                params={"time": f"{wall:%H:%M}", "day": day.isoformat(), "zone": zone.key},
            )
        raise InvalidInput(
            _(
                "{time} on {day} in {zone} happens twice (the clock goes back, {first} then "
                "{second}); choose another time"
            ),
            field=field,
            params={
                "time": f"{wall:%H:%M}",
                "day": day.isoformat(),
                "zone": zone.key,
                "first": format_offset(first.utcoffset()),
                "second": format_offset(second.utcoffset()),
            },
        )
    return first


def wall_clock(day: date, given: time, zone: ZoneInfo, *, field: str) -> time:
    """Accept a local time, with or without an offset; return the naive wall-clock time.

    A time with an offset is accepted only if the offset is the zone's own at that
    moment: `15:45+01:00` in Marrakech on 29 February 2024 is fine, `15:45+00:00`
    (or `15:45Z`) is refused because taking it would move the session by an hour.
    """
    wall = given.replace(tzinfo=None)
    instant = local_instant(day, wall, zone, field=field)
    if given.tzinfo is not None:
        given_offset = given.utcoffset()
        if given_offset is None:  # a tzinfo that cannot tell its offset: treat as no zone given
            raise InvalidInput(
                _(
                    "the time's zone has no fixed offset; give the local time in {zone} without an offset"
                ),
                field=field,
                params={"zone": zone.key},
            )
        expected = instant.utcoffset()
        if given_offset != expected:
            raise InvalidInput(
                _(
                    "{time} is not a local time of {zone} on {day} (the offset there is "
                    "{offset}); times are never shifted: give the local time without an offset, "
                    "or with the right one"
                ),
                field=field,
                params={
                    "time": f"{wall:%H:%M}{format_offset(given_offset)}",
                    "zone": zone.key,
                    "day": day.isoformat(),
                    "offset": format_offset(expected),
                },
            )
    return wall
