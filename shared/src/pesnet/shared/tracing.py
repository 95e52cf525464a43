"""OpenTelemetry traces: one registration is one trace, from the HTTP request through
the outbox, the relay and every consumer down to the mail's SMTP send.

The W3C trace context travels in each CloudEvent (the CloudEvents distributed tracing
extension: `traceparent`, `tracestate`), written with the event into the outbox, so it
survives the relay's delay, a consumer's retries and a dead letter's replay: a consumer
continues the trace of the span that wrote the event (`continued`), and so does a piece
of work leased later (a mail, a webhook delivery) that kept the context of the span that
created it (`current_context` / `continued`).

Export follows the standard variables and is off by default:
`OTEL_TRACES_EXPORTER=otlp` sends spans by OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, ...), `console`
prints them (a development run: `OTEL_TRACES_EXPORTER=console make run`), `none` or
unset exports nothing; `OTEL_TRACES_SAMPLER`/`_ARG` choose the sampling,
`OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` name the service (default
`pesnet-<service>`). The context is propagated whether or not spans are exported.
One tracer provider per process (the global one): the first service configured in a
process names it (tests run five services in one).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER_NAME = "pesnet"
_propagator = TraceContextTextMapPropagator()


def configure_tracing(service_name: str) -> TracerProvider:
    """The process's tracer provider, with the exporters the `OTEL_*` variables ask for
    (configured once: a second service in the same process shares it)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    resource = Resource.create({"service.name": f"pesnet-{service_name}"}).merge(
        OTELResourceDetector().detect()
    )
    if os.environ.get("OTEL_SERVICE_NAME"):
        resource = resource.merge(Resource({"service.name": os.environ["OTEL_SERVICE_NAME"]}))
    provider = TracerProvider(resource=resource)
    for exporter in _exporters(os.environ.get("OTEL_TRACES_EXPORTER", "none")):
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def _exporters(names: str) -> list[SpanExporter]:
    exporters: list[SpanExporter] = []
    for name in {n.strip().lower() for n in names.split(",") if n.strip()}:
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                OTLPSpanExporter,
            )

            exporters.append(OTLPSpanExporter())
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        elif name != "none":
            raise ValueError(
                f"OTEL_TRACES_EXPORTER: unknown exporter {name!r} (otlp, console, none)"
            )
    return exporters


@functools.cache
def tracer() -> trace.Tracer:
    """The platform's tracer, made once (each `get_tracer` makes a new one). Asked for
    before `configure_tracing`, it is the API's proxy, which follows the provider once
    it is set."""
    return trace.get_tracer(TRACER_NAME)


def current_context() -> dict[str, str]:
    """The current span's W3C context (`traceparent`, and `tracestate` if any); empty
    where there is no valid span."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier


def context_of(span: Span) -> dict[str, str]:
    """`span`'s W3C context (`traceparent`, and `tracestate` if any)."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=trace.set_span_in_context(span))
    return carrier


def started_span(name: str, event_type: str) -> Span:
    """A child of the current span about an event, started and not made current: the
    caller ends it (`span.end()`); one not ended after an error is never exported."""
    return tracer().start_span(name, attributes={"cloudevents.event_type": event_type})


@contextmanager
def continued(
    carrier: Mapping[str, object] | None,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span]:
    """A span `name` in the trace whose context `carrier` holds (a CloudEvent's
    attributes, a stored delivery's), or a new trace where it holds none."""
    fields = {
        key: value
        for key in ("traceparent", "tracestate")
        if isinstance(value := (carrier or {}).get(key), str)
    }
    parent = _propagator.extract(fields) if fields else otel_context.Context()
    with tracer().start_as_current_span(
        name, context=parent, kind=kind, attributes=dict(attributes or {})
    ) as span:
        yield span


@contextmanager
def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span]:
    """A child of the current span."""
    with tracer().start_as_current_span(name, kind=kind, attributes=dict(attributes or {})) as s:
        yield s


def use_case_span(work: Callable[..., object]) -> AbstractContextManager[Span]:
    """The span of a use case, named for its module and function
    (`use case registering.register`)."""
    while isinstance(work, functools.partial):
        work = work.func
    name = getattr(work, "__qualname__", type(work).__name__).split(".<locals>")[0]
    module = str(getattr(work, "__module__", "") or "").rsplit(".", 1)[-1]
    return span(f"use case {module}.{name}" if module else f"use case {name}")


def sending(
    carrier: Mapping[str, object] | None, name: str, **attributes: str
) -> AbstractContextManager[Span]:
    """The span of a hand-over to another system (an SMTP send, a webhook's POST) in
    the trace whose context `carrier` kept."""
    return continued(
        carrier,
        name,
        kind=SpanKind.CLIENT,
        attributes={f"pesnet.{k}": v for k, v in attributes.items()},
    )


def trace_context_of(body: str | bytes) -> dict[str, str]:
    """The trace context a CloudEvent's JSON carries (empty if it is not one)."""
    try:
        event = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(event, dict):
        return {}
    return {k: v for k in ("traceparent", "tracestate") if isinstance(v := event.get(k), str)}
