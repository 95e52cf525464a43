"""CloudEvents 1.0 envelope, structured JSON mode, with correlation/causation extensions,
`actorid`: the account (or kind of credential) whose request caused the event, and the
distributed tracing extension (`traceparent`, `tracestate`: the W3C trace context of the
span that wrote the event, so that its consumers continue the same trace).

Every message on `pesnet.events` is one of these. The AMQP message also carries the
id, type and correlation id as properties so that tools that never parse the body
(the management UI, a partner's logger) still see them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


def new_event_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class CloudEvent(BaseModel):
    """One integration event. `data` is the payload, validated by the catalog."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200, pattern=r"^[a-z]+(\.[a-z_]+){2}$")
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    correlationid: str
    causationid: str | None = None
    actorid: str | None = None
    # W3C Trace Context; a consumer that cannot read it starts a new trace, it never
    # refuses the event for it
    traceparent: str | None = Field(
        default=None,
        max_length=100,
        description="W3C traceparent of the span that wrote the event (CloudEvents "
        "distributed tracing extension)",
    )
    tracestate: str | None = Field(
        default=None, max_length=512, description="W3C tracestate that goes with traceparent"
    )
    data: dict[str, Any]

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class EnvelopeError(ValueError):
    """The bytes are not a CloudEvent we can read; the text says which field."""


def parse_envelope(body: bytes) -> CloudEvent:
    """The parser bounds nesting depth itself (a recursion limit, not Python's stack)."""
    try:
        return CloudEvent.model_validate_json(body)
    except ValidationError as exc:
        raise EnvelopeError(_plainly(describe_validation_error(exc))) from exc


def _plainly(reason: str) -> str:
    """The two commonest poisons named first, so that a dead letter's reason says it."""
    if "recursion limit exceeded" in reason:
        return f"too deep: {reason}"
    if "Invalid JSON" in reason:
        return f"not JSON: {reason}"
    return reason


def describe_validation_error(exc: ValidationError) -> str:
    """`field.sub: message; ...` — short, names the field, never echoes the input."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(body)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
