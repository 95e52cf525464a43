"""Errors as RFC 9457 problem details (`application/problem+json`), in the language of
the person asking (`?lang=`, then `Accept-Language`): a title per status, a detail, and
for bad input one entry per offending field with its location (`loc`, e.g.
`["body", "email"]` or `["query", "version"]`), its dotted `field` and a message.
Nothing the client sent is echoed back, and no stack trace ever leaves the service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from pesnet.shared.i18n import Language, negotiate_language
from pesnet.shared.translation import N_, Message, translate

PROBLEM_JSON = "application/problem+json"

TITLES: dict[int, str] = {
    400: N_("Bad request"),
    401: N_("Authentication required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Internal error"),
    503: N_("Service unavailable"),
}

# Pydantic's error types, in words a person reads; `{names}` come from the error's context.
FIELD_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not allowed."),
    "string_type": N_("Must be text."),
    "string_too_short": N_("Must be at least {min_length} characters long."),
    "string_too_long": N_("Must be at most {max_length} characters long."),
    "string_pattern_mismatch": N_("Has the wrong format."),
    "int_type": N_("Must be a whole number."),
    "int_parsing": N_("Must be a whole number."),
    "int_from_float": N_("Must be a whole number."),
    "float_type": N_("Must be a number."),
    "float_parsing": N_("Must be a number."),
    "finite_number": N_("Must be a finite number."),
    "bool_type": N_("Must be true or false."),
    "bool_parsing": N_("Must be true or false."),
    "greater_than": N_("Must be greater than {gt}."),
    "greater_than_equal": N_("Must be at least {ge}."),
    "less_than": N_("Must be less than {lt}."),
    "less_than_equal": N_("Must be at most {le}."),
    "enum": N_("Must be one of: {expected}."),
    "literal_error": N_("Must be one of: {expected}."),
    "too_short": N_("Must have at least {min_length} items."),
    "too_long": N_("Must have at most {max_length} items."),
    "list_type": N_("Must be a list."),
    "dict_type": N_("Must be an object."),
    "model_type": N_("Must be an object."),
    "model_attributes_type": N_("Must be an object."),
    "date_type": N_("Must be a date (YYYY-MM-DD)."),
    "date_parsing": N_("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": N_("Must be a date (YYYY-MM-DD)."),
    "datetime_type": N_("Must be a date and time."),
    "datetime_parsing": N_("Must be a date and time."),
    "datetime_from_date_parsing": N_("Must be a date and time."),
    "time_parsing": N_("Must be a time (HH:MM)."),
    "url_parsing": N_("Must be a web address."),
    "url_scheme": N_("Must be a web address starting with {expected_schemes}."),
    "json_invalid": N_("The body is not valid JSON."),
    "invalid_email": N_("Not a valid e-mail address."),
    "value_error": N_("This value is not valid."),
}
GENERIC_FIELD_MESSAGE = N_("This value is not valid.")
INTERNAL_ERROR_DETAIL = N_(
    "Something went wrong on our side; the error id tells the secretariat which."
)
INVALID_INPUT_DETAIL = N_("Some fields are not valid: {fields}.")


def request_language(request: Request) -> Language:
    return negotiate_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    params: Mapping[str, Any] | None = None,
    errors: Sequence[Mapping[str, Any]] = (),
    packages: tuple[str, ...] = (),
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem response; `detail` is an English message id translated here."""
    language = request_language(request)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": translate(TITLES.get(status, TITLES[400]), language),
        "status": status,
        "detail": translate(detail, language, params, packages=packages),
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extra)
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={"content-language": language.value, **(headers or {})},
    )


def field_error(
    loc: Iterable[Any], message: str, language: Language, kind: str, **params: Any
) -> dict[str, Any]:
    location = [str(p) if not isinstance(p, int) else p for p in loc]
    # `field` is the path without the part of the request it is in (body/query/path)
    inside = location[1:] if location and location[0] in ("body", "query", "path") else location
    return {
        "loc": location,
        "field": ".".join(str(p) for p in inside),
        "msg": translate(message, language, _safe(params)),
        "type": kind,
    }


def validation_errors(
    errors: Iterable[Mapping[str, Any]], language: Language, packages: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Pydantic/FastAPI errors as problem entries, in `language`, without the input.

    A service's own validator (`raise ValueError("...")`) says something more precise
    than its type: its text is used where a catalog translates it, and as it is in
    English; elsewhere the generic wording of its type stands in. A validator that
    raises a `Message` (`ValueError(Message(text, params))`) is said with its values."""
    found = []
    for err in errors:
        kind = str(err.get("type", "value_error"))
        context = dict(err.get("ctx") or {})
        raised = context.pop("error", None)
        message = FIELD_MESSAGES.get(kind, GENERIC_FIELD_MESSAGE)
        entry = field_error(err.get("loc", ()), message, language, kind, **context)
        said = raised.args[0] if isinstance(raised, Exception) and raised.args else None
        if isinstance(said, Message):
            # a validator that raised a catalog message with its values
            entry["msg"] = said.get(language, packages=packages)
        elif kind in ("value_error", "assertion_error") or kind not in FIELD_MESSAGES:
            own = str(err.get("msg", "")).removeprefix("Value error, ")
            own = own.removeprefix("Assertion failed, ")
            translated = translate(own, language, packages=packages)
            if own and (translated != own or language is Language.en):
                entry["msg"] = translated
        found.append(entry)
    return found


def _safe(params: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value)[:200] for key, value in params.items()}


__all__ = [
    "PROBLEM_JSON",
    "field_error",
    "problem",
    "request_language",
    "validation_errors",
]
