"""Numbers as the services accept them in requests: finite, within a sane range, and
never a boolean (`true` is not 1). JSON's `NaN` and `Infinity`, which Python's parser
accepts, are refused, and so is anything beyond ±10¹⁵."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

LIMIT = 1e15

FiniteNumber = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-LIMIT, le=LIMIT)]

__all__ = ["LIMIT", "FiniteNumber"]
