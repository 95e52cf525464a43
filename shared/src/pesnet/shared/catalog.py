"""The event catalog: event type → payload model, schema version and visibility.

Publishing a payload whose model is not in the catalog is an error, and so is
consuming a type that is not in it. Public events go to partners through
`pesnet.public`; they must never carry personal data, which `PublicPayload`
makes a reviewable, explicit choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pesnet.shared.envelope import (
    CloudEvent,
    EnvelopeError,
    describe_validation_error,
    new_event_id,
    parse_envelope,
    utcnow,
)

Visibility = Literal["internal", "public"]


class EventPayload(BaseModel):
    """Base of every payload. Readers tolerate fields they do not know (schema evolution
    adds optional fields; a breaking change bumps the version)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class PublicPayload(EventPayload):
    """Base of payloads that partners may see: no names, e-mails or other personal data."""


class UnknownEventType(LookupError):
    pass


class InvalidEvent(ValueError):
    """A message that can never be processed (bad envelope, unknown type, bad payload)."""


PayloadModel = type[EventPayload]


@dataclass(frozen=True)
class EventSpec:
    type: str
    payload: PayloadModel
    description: str
    version: int = 1
    visibility: Visibility = "internal"

    def __post_init__(self) -> None:
        if (self.visibility == "public") != issubclass(self.payload, PublicPayload):
            raise TypeError(
                f"{self.type}: a public event needs a PublicPayload model, an internal one must "
                "not use it"
            )

    @property
    def dataschema(self) -> str:
        return f"urn:pesnet:schema:{self.type}:v{self.version}"


class EventCatalog:
    def __init__(self, specs: Iterable[EventSpec] = ()) -> None:
        self._by_type: dict[str, EventSpec] = {}
        self._by_model: dict[type[EventPayload], EventSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: EventSpec) -> None:
        if spec.type in self._by_type:
            raise ValueError(f"event type registered twice: {spec.type}")
        if spec.payload in self._by_model:
            raise ValueError(f"payload model used by two event types: {spec.payload.__name__}")
        self._by_type[spec.type] = spec
        self._by_model[spec.payload] = spec

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(self._by_type.values())

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._by_type

    def get(self, event_type: str) -> EventSpec:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownEventType(f"event type not in the catalog: {event_type!r}") from None

    def spec_for(self, payload: EventPayload) -> EventSpec:
        return self.spec_of(type(payload))

    def spec_of(self, model: type[EventPayload]) -> EventSpec:
        try:
            return self._by_model[model]
        except KeyError:
            raise UnknownEventType(f"payload model not in the catalog: {model.__name__}") from None

    def type_of(self, model: type[EventPayload]) -> str:
        """The event type of a payload model: code names events by their class, and
        the type strings live only in the catalog."""
        return self.spec_of(model).type

    def public_types(self) -> list[str]:
        return sorted(s.type for s in self if s.visibility == "public")

    def envelope(
        self,
        payload: EventPayload,
        *,
        source: str,
        subject: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        actor_id: str | None = None,
        trace_context: Mapping[str, str] | None = None,
    ) -> CloudEvent:
        """Wrap a payload in a CloudEvent; an event starts its own correlation if none is
        given. `trace_context`: the W3C `traceparent`/`tracestate` of the writing span. A public event never carries `actorid` (an account id, or the registration
        or focal point a token stands for, would name a person to every partner): who
        acted is in the producing service's audit trail; internal events keep it."""
        spec = self.spec_for(payload)
        event_id = new_event_id()
        return CloudEvent(
            id=event_id,
            source=source,
            type=spec.type,
            time=utcnow(),
            subject=subject,
            dataschema=spec.dataschema,
            correlationid=correlation_id or event_id,
            causationid=causation_id,
            actorid=actor_id if spec.visibility == "internal" else None,
            traceparent=(trace_context or {}).get("traceparent"),
            tracestate=(trace_context or {}).get("tracestate"),
            data=payload.model_dump(mode="json"),
        )

    def parse(self, body: bytes) -> tuple[CloudEvent, EventPayload]:
        """Bytes off the wire → (envelope, typed payload), or InvalidEvent naming the field."""
        try:
            event = parse_envelope(body)
        except EnvelopeError as exc:
            raise InvalidEvent(f"envelope: {exc}") from exc
        try:
            spec = self.get(event.type)
        except UnknownEventType as exc:
            raise InvalidEvent(str(exc)) from exc
        try:
            payload = spec.payload.model_validate(event.data)
        except ValidationError as exc:
            raise InvalidEvent(f"data: {describe_validation_error(exc)}") from exc
        return event, payload
