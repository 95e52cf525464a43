"""Errors in the person's language, in every service: RFC 9457 problem details
(`application/problem+json`) whose title and detail follow `Accept-Language` (Arabic and
French here), with the offending field's location in `errors[].loc`; the roles and
statuses a refusal names are said in that language too; nothing about another person
in any error; 401 without or with a bad credential, 403 with a valid one that may not.
Each service runs in process on the real broker and database server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pesnet.actionplan.bootstrap import build_app as build_actionplan
from pesnet.actionplan.settings import Settings as ActionPlanSettings
from pesnet.agenda.bootstrap import build_app as build_agenda
from pesnet.agenda.settings import Settings as AgendaSettings
from pesnet.identity.bootstrap import build_app as build_identity
from pesnet.identity.settings import Settings as IdentitySettings
from pesnet.notifications.bootstrap import build_app as build_notifications
from pesnet.notifications.settings import Settings as NotificationsSettings
from pesnet.registration.bootstrap import build_app as build_registration
from pesnet.registration.settings import Settings as RegistrationSettings
from pesnet.shared.settings import DEV_SECRETARIAT_TOKEN

pytestmark = pytest.mark.integration

SECRETARIAT = {"Authorization": f"Bearer {DEV_SECRETARIAT_TOKEN}"}
ADMIN_PASSWORD = "an administrator's long passphrase"

# the kernel's titles, as a person reads them
TITLES = {
    ("ar", 401): "يلزم تسجيل الدخول",
    ("fr", 401): "Authentification requise",
    ("ar", 403): "غير مسموح",
    ("fr", 403): "Non autorisé",
    ("ar", 404): "غير موجود",
    ("fr", 404): "Introuvable",
    ("ar", 409): "تعارض",
    ("fr", 409): "Conflit",
    ("ar", 422): "بيانات غير صالحة",
    ("fr", 422): "Données invalides",
}


def problem(response: httpx.Response, status: int, language: str) -> dict[str, Any]:
    """Problem details of `status` in `language`, with its title in that language."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] == language
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] == TITLES[(language, status)], body
    return body


def field(body: dict[str, Any], *loc: str) -> str:
    """The message of the error at `loc` (the field's location in the request)."""
    found = [e for e in body.get("errors", []) if e["loc"] == list(loc)]
    assert found, f"no error at {list(loc)} in {body}"
    message: str = found[0]["msg"]
    return message


@pytest.mark.parametrize("language", ["ar", "fr"])
async def test_registration(
    language: str, make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> None:
    settings = make_settings("registration", RegistrationSettings)
    async with start_service(build_registration(settings)) as svc:
        response = await svc.http.post(
            "/meetings/pesnet-demo/registrations",
            json={
                "given_name": "Amina\u0000",
                "family_name": "Benali",
                "email": "amina.benali@example.org",
                "country": "ZZZ",
                "institution": "ANAPEC",
                "position": "Directrice",
                "role": "delegate",
                "language": language,
            },
            headers={"Accept-Language": language},
        )
        body = problem(response, 422, language)
        assert (
            field(body, "body", "given_name")
            == {
                "ar": "يحتوي على حرف تحكم (U+0000)",
                "fr": "contient un caractère de contrôle (U+0000)",
            }[language]
        )
        assert (
            field(body, "body", "country")
            == {
                "ar": "ZZZ ليس رمز ISO 3166-1 alpha-3 لدولة عضو في منظمة التعاون الإسلامي",
                "fr": "ZZZ n'est pas le code ISO 3166-1 alpha-3 d'un État membre de l'OCI",
            }[language]
        )
        # nothing about the person in the answer
        assert "amina" not in str(body).lower()
        assert "benali" not in str(body).lower()


@pytest.mark.parametrize("language", ["ar", "fr"])
async def test_agenda(
    language: str, make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> None:
    settings = make_settings("agenda", AgendaSettings)
    async with start_service(build_agenda(settings)) as svc:
        headers = {"Accept-Language": language}
        seeded = await svc.http.post("/dev/seed", headers=SECRETARIAT)
        assert seeded.status_code == 200, seeded.text
        # the 4th meeting has been held: the statuses are said in the caller's language
        response = await svc.http.patch(
            "/meetings/pesnet-4", json={"status": "scheduled"}, headers={**SECRETARIAT, **headers}
        )
        body = problem(response, 409, language)
        assert (
            body["detail"]
            == {
                "ar": "لا يمكن لاجتماع حالته عُقد أن يصبح مقرَّر",
                "fr": "une réunion à l'état tenue ne peut pas passer à l'état programmée",
            }[language]
        )
        assert field(body, "body", "status") == body["detail"]
        anonymous = await svc.http.patch(
            "/meetings/pesnet-4", json={"status": "scheduled"}, headers=headers
        )
        assert (
            problem(anonymous, 401, language)["detail"]
            == {
                "ar": "سجّل الدخول أولًا: يلزم رمز وصول (bearer) أو جلسة",
                "fr": "connectez-vous d'abord : il faut un jeton d'accès (bearer) ou une session",
            }[language]
        )


@pytest.mark.parametrize("language", ["ar", "fr"])
async def test_actionplan(
    language: str, make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> None:
    settings = make_settings("actionplan", ActionPlanSettings, ACTIONPLAN_REMINDERS_ENABLED=False)
    async with start_service(build_actionplan(settings)) as svc:
        headers = {**SECRETARIAT, "Accept-Language": language}
        response = await svc.http.post("/plans", json={"period": "2026-2024"}, headers=headers)
        body = problem(response, 422, language)
        assert (
            field(body, "body", "period")
            == {
                "ar": "تنتهي الفترة (2024) قبل أن تبدأ (2026): هل تقصد 2024-2026؟",
                "fr": "la période se termine (2024) avant de commencer (2026) : écrire 2024-2026 ?",
            }[language]
        )
        unknown = await svc.http.post(
            "/plans/2024-2026/activities/act-nowhere/status",
            json={"status": "ongoing"},
            headers=headers,
        )
        assert (
            problem(unknown, 404, language)["detail"]
            == {
                "ar": "لا توجد خطة للفترة 2024-2026",
                "fr": "aucun plan pour 2024-2026",
            }[language]
        )


@pytest.mark.parametrize("language", ["ar", "fr"])
async def test_notifications(
    language: str,
    make_settings: Callable[..., Any],
    start_service: Callable[..., Any],
    unique: str,
) -> None:
    settings = make_settings(
        f"notifications-{unique}",
        NotificationsSettings,
        PESNET_DATABASE=f"test_{unique}_notifications",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=1,
    )
    async with start_service(build_notifications(settings)) as svc:
        headers = {"Accept-Language": language, "Accept": "application/json"}
        bad_value = await svc.http.put(
            "/preferences?token=not-a-signed-link", json={"language": "de"}, headers=headers
        )
        body = problem(bad_value, 422, language)
        assert field(body, "body", "language").startswith(
            {"ar": "يجب أن يكون واحدًا مما يلي: ", "fr": "Doit être l’une des valeurs suivantes : "}[
                language
            ]
        )
        bad_link = await svc.http.put(
            "/preferences?token=not-a-signed-link", json={"language": "fr"}, headers=headers
        )
        assert (
            problem(bad_link, 401, language)["detail"]
            == {
                "ar": "رابط التفضيلات غير صالح",
                "fr": "le lien des préférences n'est pas valide",
            }[language]
        )


@pytest.mark.parametrize("language", ["ar", "fr"])
async def test_identity(
    language: str, make_settings: Callable[..., Any], start_service: Callable[..., Any]
) -> None:
    settings = make_settings(
        "identity",
        IdentitySettings,
        PESNET_DEV_ADMIN_USERNAME="admin",
        PESNET_DEV_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    async with start_service(build_identity(settings)) as svc:
        headers = {"Accept-Language": language}
        signed_in = await svc.http.post(
            "/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        admin = {"Authorization": f"Bearer {signed_in.json()['access_token']}", **headers}

        refused = await svc.http.post(
            "/accounts",
            json={
                "username": "-clerk",
                "password": "a clerk's long passphrase",
                "roles": ["check_in_clerk"],
                "country": "MAR",
            },
            headers=admin,
        )
        body = problem(refused, 422, language)
        assert (
            field(body, "body", "username")
            == {
                "ar": "من 3 إلى 64 حرفًا: أحرف وأرقام و. _ @ -، تبدأ بحرف أو رقم",
                "fr": (
                    "de 3 à 64 caractères : lettres, chiffres et . _ @ -, en commençant par une "
                    "lettre ou un chiffre"
                ),
            }[language]
        )

        clerk = await svc.http.post(
            "/accounts",
            json={
                "username": "clerk",
                "password": "a clerk's long passphrase",
                "roles": ["check_in_clerk"],
            },
            headers=admin,
        )
        assert clerk.status_code == 201, clerk.text
        token = await svc.http.post(
            "/auth/token", json={"username": "clerk", "password": "a clerk's long passphrase"}
        )
        as_clerk = {"Authorization": f"Bearer {token.json()['access_token']}", **headers}

        # 401 without a credential and with a bad one, 403 with a valid one that may not
        without = problem(await svc.http.get("/accounts", headers=headers), 401, language)
        assert (
            without["detail"]
            == {
                "ar": "سجّل الدخول أولًا: يلزم رمز وصول (bearer) أو جلسة",
                "fr": "connectez-vous d'abord : il faut un jeton d'accès (bearer) ou une session",
            }[language]
        )
        forged = {"Authorization": "Bearer not-a-token", **headers}
        bad = problem(await svc.http.get("/accounts", headers=forged), 401, language)
        assert (
            bad["detail"]
            == {
                "ar": "رمز غير معروف أو منتهي الصلاحية أو ملغى",
                "fr": "jeton inconnu, expiré ou révoqué",
            }[language]
        )
        not_allowed = problem(await svc.http.get("/accounts", headers=as_clerk), 403, language)
        assert (
            not_allowed["detail"]
            == {
                "ar": "يتطلب هذا أحد الأدوار التالية: مدير النظام",
                "fr": "ceci requiert l'un des rôles : administrateur",
            }[language]
        )
        # nothing about the person whose token it is, nor about another account
        for answer in (without, bad, not_allowed, body):
            assert "clerk" not in str(answer)
