"""Request-body field types that take a JSON value as it was written, never coerced.

Pydantic's lax mode, which FastAPI uses for bodies, reads `true` as the number 1, `1`
as `true`, `"5"` as 5, and a number of seconds as a time of day (`"start": 12345`
became 03:25:45). A client who sent one of those made a mistake the service must name,
not guess at. So every body uses these for its numbers, booleans, dates and times:

- `WholeNumber`: a JSON integer (not `true`, not `"5"`, not `5.5`);
- `YesNo`: `true` or `false` (not `1`, not `"yes"`);
- `TimeOfDay`: a time written as text (`"15:45"`, `"15:45+01:00"`);
- `CalendarDate`: a date written as text (`"2024-02-29"`).

(`pesnet.shared.numbers.FiniteNumber` is the same for a number that may have a
fraction.) Query and path parameters are text by nature and keep their parsing."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict
from pydantic_core import PydanticCustomError

WholeNumber = Annotated[int, Strict()]
YesNo = Annotated[bool, Strict()]


def _time_as_text(value: Any) -> Any:
    if isinstance(value, time | str):
        return value
    raise PydanticCustomError("time_parsing", "a time is written as text, HH:MM")


def _date_as_text(value: Any) -> Any:
    if isinstance(value, date | str):
        return value
    raise PydanticCustomError("date_parsing", "a date is written as text, YYYY-MM-DD")


TimeOfDay = Annotated[time, BeforeValidator(_time_as_text)]
CalendarDate = Annotated[date, BeforeValidator(_date_as_text)]

__all__ = ["CalendarDate", "TimeOfDay", "WholeNumber", "YesNo"]
