"""What an operator sees of one registration: every service's `/metrics` parses with
Prometheus' own text parser and counts it (the request, the events published and
handled, the mail sent, the sign-in), and one trace follows it from the HTTP request
through the outbox, the relay, agenda's and notifications' consumers down to the SMTP
send (spans kept in memory by the process's tracer provider; the broker, the database
and the SMTP sink are real)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pesnet.devtools.smtp_sink import SmtpSink
from tests.integration.network.conftest import staff_account
from tests.support import eventually, metrics_of, total

pytestmark = pytest.mark.integration

REGISTERED = "registration.participant.registered"


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "maildir") as sink:
        yield sink


@pytest.fixture
def service_overrides(sink: SmtpSink) -> dict[str, dict[str, Any]]:
    return {
        "notifications": {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": sink.port,
            "PESNET_DEV_MAILBOX": str(sink.directory),
            "NOTIFICATIONS_POLL_SECONDS": 0.1,
        }
    }


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span the process ends from now on (the services configured the provider)."""
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider), "the services set an SDK tracer provider"
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


async def register(network: dict[str, httpx.AsyncClient], email: str) -> str:
    admin = await staff_account(network["identity"], "olga.operator", ["administrator"])
    seeded = await network["registration"].post("/dev/seed", headers=admin.headers)
    assert seeded.status_code == 200, seeded.text
    registered = await network["registration"].post(
        "/meetings/pesnet-demo/registrations",
        json={
            "given_name": "Amina",
            "family_name": "Diallo",
            "email": email,
            "country": "SEN",
            "institution": "ANPEJ",
            "position": "Conseillère",
            "role": "delegate",
            "language": "fr",
        },
    )
    assert registered.status_code == 201, registered.text
    return str(registered.json()["id"])


async def test_every_service_counts_a_registration_in_its_metrics(
    network: dict[str, httpx.AsyncClient], sink: SmtpSink
) -> None:
    await register(network, "amina.metrics@example.org")
    notifications = network["notifications"]

    async def mail_sent() -> bool:
        parsed = await metrics_of(notifications)
        return total(parsed, "pesnet_mails_total", outcome="sent", language="fr") >= 1

    await eventually(mail_sent, within=30)
    registration = await metrics_of(network["registration"])
    route = "/meetings/{meeting_id}/registrations"
    assert total(registration, "pesnet_http_requests_total", route=route, status="201") == 1
    assert total(registration, "pesnet_http_request_duration_seconds_count", route=route) == 1
    assert total(registration, "pesnet_outbox_published_total", event_type=REGISTERED) == 1
    assert total(registration, "pesnet_outbox_backlog") == 0
    # ids never become labels: the one registration's GET is counted under its template
    assert not [k for k in registration if "amina" in str(k) or "/registrations/reg" in str(k)]
    agenda = await metrics_of(network["agenda"])
    assert total(agenda, "pesnet_messages_handled_total", event_type=REGISTERED) == 1
    assert total(agenda, "pesnet_message_handling_seconds_count", event_type=REGISTERED) == 1
    notified = await metrics_of(notifications)
    assert total(notified, "pesnet_messages_handled_total", event_type=REGISTERED) == 1
    assert total(notified, "pesnet_mails_total", kind="registration_received", outcome="sent") == 1
    identity = await metrics_of(network["identity"])
    assert total(identity, "pesnet_sign_ins_total", method="password", outcome="accepted") >= 1
    for name in ("actionplan", "identity"):
        parsed = await metrics_of(network[name])
        assert total(parsed, "pesnet_outbox_oldest_unpublished_age_seconds") < 60
        assert total(parsed, "pesnet_messages_dead_lettered_total") == 0


async def test_one_trace_follows_a_registration_to_its_mail(
    network: dict[str, httpx.AsyncClient], sink: SmtpSink, spans: InMemorySpanExporter
) -> None:
    await register(network, "amina.traces@example.org")

    def finished() -> list[ReadableSpan]:
        return list(spans.get_finished_spans())

    async def smtp_sent() -> bool:
        return any(s.name == "smtp send" for s in finished())

    await eventually(smtp_sent, within=30)
    request = next(
        s
        for s in finished()
        if s.name == "POST /meetings/{meeting_id}/registrations" and s.parent is None
    )
    assert request.context is not None
    trace_id = request.context.trace_id
    in_trace = [s for s in finished() if s.context is not None and s.context.trace_id == trace_id]
    names = [s.name for s in in_trace]
    assert "use case registering.register" in names
    assert "outbox write" in names
    assert f"publish {REGISTERED}" in names
    handled = [n for n in names if n.endswith(f" process {REGISTERED}")]
    assert any(n.startswith("agenda.") for n in handled), names
    assert any(n.startswith("notifications.") for n in handled), names
    assert "smtp send" in names
    # a tree: every span but the request's has its parent in the same trace
    ids = {s.context.span_id for s in in_trace if s.context is not None}
    assert all(
        s.parent is not None and s.parent.span_id in ids for s in in_trace if s is not request
    )
