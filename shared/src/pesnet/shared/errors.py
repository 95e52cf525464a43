"""Domain errors every service raises; the HTTP layer maps them to status codes.
Pure Python: a service's domain imports these without importing any framework."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of the errors a user can cause; `field` names the offending input if any.

    `message` is English and may name values in braces, given in `params`
    (`Conflict("the quota of {quota} is reached", params={"quota": 3})`): the HTTP
    layer translates it into the caller's language first, then fills them in."""

    def __init__(
        self, message: str, *, field: str | None = None, params: Mapping[str, Any] | None = None
    ) -> None:
        self.message = message
        self.field = field
        self.params = dict(params or {})
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The English text with its values (for logs and English answers)."""
        try:
            return self.message.format(**_english(self.params)) if self.params else self.message
        except (KeyError, IndexError, ValueError):
            return self.message


def _english(params: Mapping[str, Any]) -> dict[str, Any]:
    """Values that say themselves in a language (a vocabulary's `Term`, a `Localized`
    text), in English; see `pesnet.shared.translation.in_language`."""
    english: dict[str, Any] = {}
    for key, value in params.items():
        if callable(inline := getattr(value, "inline", None)):
            value = inline("en")
        elif not isinstance(value, Mapping) and callable(get := getattr(value, "get", None)):
            value = get("en")
        english[key] = value
    return english


class InvalidInput(DomainError):
    """422: a value is not acceptable (beyond what the request schema checks)."""


class NotFound(DomainError):
    """404."""


class Conflict(DomainError):
    """409: a duplicate, or a transition the state machine forbids."""


class Forbidden(DomainError):
    """403: authenticated, but not allowed to act on this object."""


class Unauthorized(DomainError):
    """401: no or wrong credentials."""


class TooManyRequests(DomainError):
    """429: a limit on how often something may be done was reached; the HTTP layer
    says when to come back (`Retry-After`, whole seconds, at least one)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: float,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, params=params)
        self.retry_after_seconds = max(1, int(-(-retry_after_seconds // 1)))
