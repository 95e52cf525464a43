"""`/metrics` is for the cluster's Prometheus, which scrapes each pod directly: asked
through the Ingress (a request a proxy forwarded) it answers 404."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pesnet.shared.http_metrics import metrics_router
from pesnet.shared.metrics import Metrics


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(metrics_router)
    app.state.runtime = SimpleNamespace(metrics=Metrics("registration"))
    return TestClient(app)


def test_prometheus_scraping_the_pod_reads_the_figures(client: TestClient) -> None:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert "pesnet_http_requests" in answer.text or "http_requests" in answer.text


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.7"},
        {"Forwarded": "for=203.0.113.7;proto=https"},
        {"X-Real-IP": "203.0.113.7"},
    ],
)
def test_a_request_through_the_ingress_gets_nothing(
    client: TestClient, header: dict[str, str]
) -> None:
    answer = client.get("/metrics", headers=header)
    assert answer.status_code == 404
    assert "http_requests" not in answer.text
