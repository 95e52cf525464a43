"""What every service does whatever a route does: text that is not Unicode (a lone
surrogate, `"\\ud800"`, valid JSON) in a JSON field is a 422 naming the field, never a
500; and every page and API answer carries the security headers, the pages with no
inline script or style for the Content-Security-Policy to allow."""

from __future__ import annotations

import re

import httpx
import pytest

from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
LONE = '"a\\ud800b"'  # as JSON: a string with a lone high surrogate
WRITES = {
    "identity": ("POST", "/auth/token", '{"username": %s, "password": "x"}', "username"),
    "registration": (
        "POST",
        "/meetings/pesnet-demo/registrations",
        '{"given_name": %s, "family_name": "B", "email": "a@example.org"}',
        "given_name",
    ),
    "agenda": ("POST", "/meetings", '{"id": "m9", "title": {"en": %s}}', "title.en"),
    "actionplan": (
        "POST",
        "/plans/2024-2026/needs",
        '{"thematic_area": "a1", "priority": "high", "title": {"fr": %s}}',
        "title.fr",
    ),
    "notifications": ("PUT", "/preferences?token=x", '{"language": %s}', "language"),
}
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


@pytest.mark.parametrize("language", ["ar", "fr"])
async def test_a_lone_surrogate_is_a_422_naming_the_field_in_every_service(
    network: dict[str, httpx.AsyncClient], language: str
) -> None:
    for service, (method, path, body, field) in WRITES.items():
        response = await network[service].request(
            method,
            path,
            content=(body % LONE).encode(),
            headers={
                "content-type": "application/json",
                "Accept-Language": language,
                **SECRETARIAT,
            },
        )
        assert response.status_code == 422, (service, response.text)
        assert response.headers["content-type"] == "application/problem+json", service
        assert [e["field"] for e in response.json()["errors"]] == [field], service
        assert response.headers["content-language"] == language


async def test_every_page_and_answer_carries_the_security_headers_and_no_inline_code(
    network: dict[str, httpx.AsyncClient],
) -> None:
    for service, path in (
        ("registration", "/dev/seed"),
        ("agenda", "/dev/seed"),
        ("agenda", "/dev/seed/history"),
        ("actionplan", "/dev/seed"),
    ):
        assert (await network[service].post(path, headers=SECRETARIAT)).status_code == 200
    pages = [
        ("registration", "/meetings/pesnet-demo/register?lang=ar"),
        ("registration", "/desk"),
        ("registration", "/sign-in"),
        ("agenda", "/meetings/pesnet-4/programme?format=html&lang=ar"),
        ("actionplan", "/plans/2024-2026/report?format=html&lang=fr"),
        ("notifications", "/preferences/page?token=not-a-link"),
        *((service, "/docs") for service in network),
    ]
    for service, path in pages:
        response = await network[service].get(path, headers={"Accept": "text/html"})
        assert response.status_code in (200, 401, 403), (service, path, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), (service, path)
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        inline = INLINE.search(response.text)
        assert inline is None, (service, path, inline and inline.group(0))
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text):
            served = await network[service].get(asset)
            assert served.status_code == 200, (service, asset)
    for service, http in network.items():
        api = await http.get("/healthz")
        assert api.headers["x-content-type-options"] == "nosniff", service
        assert "content-security-policy" in api.headers, service
