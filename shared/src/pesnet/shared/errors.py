"""Domain errors every service raises; the HTTP layer maps them to status codes.
Pure Python: a service's domain imports these without importing any framework."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a user can cause; `field` names the offending input if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
