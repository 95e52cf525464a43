"""One rule for e-mail addresses, everywhere: internationalized addresses are
accepted (`فاطمة@example.org`, `josé@exemple.fr`) and sent with SMTPUTF8, because
a delegate's address is theirs to choose. An address is normalized once, when it
enters the platform; `email_key` is what uniqueness compares."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError


class InvalidEmail(ValueError):
    pass


@lru_cache(maxsize=1024)
def normalize_email(value: str) -> str:
    """The normalized address, or `InvalidEmail` saying why not. The last addresses seen
    are remembered (an event's address is normalized several times on its way: the
    event's model, the recipient, the delivery, its id), a refused one is not."""
    try:
        return validate_email(
            value.strip(), check_deliverability=False, allow_smtputf8=True
        ).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None


def email_key(address: str) -> str:
    """The comparison key of an address: two spellings of one mailbox compare equal."""
    return normalize_email(address).casefold()


def needs_smtputf8(address: str) -> bool:
    return not address.isascii()


def _validated(value: str) -> str:
    try:
        return normalize_email(value)
    except InvalidEmail as exc:
        # its own error type, so that the answer can say it in the person's language
        raise PydanticCustomError(
            "invalid_email", "not a valid e-mail address: {reason}", {"reason": str(exc)}
        ) from None


# A pydantic field type: `email: Email`.
Email = Annotated[str, AfterValidator(_validated)]

__all__ = ["Email", "InvalidEmail", "email_key", "needs_smtputf8", "normalize_email"]
