"""The online attendance list is uploaded as the file the meeting tool exported
(`multipart/form-data` on the staff page), in the encodings such tools write (UTF-8, with
or without its mark, or UTF-16 with tabs); every line's result names the line and the
column, and a file that cannot be read says where, in the reader's language."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from tests.integration.audit_walk import csrf_of
from tests.integration.registration.conftest import Register, Registration
from tests.integration.registration.test_registration_badges import confirmed
from tests.integration.registration.test_registration_certificates import meeting_closing_today

pytestmark = pytest.mark.integration


async def upload(
    http: httpx.AsyncClient, meeting: str, content: bytes, headers: dict[str, str], lang: str
) -> httpx.Response:
    """The page's form with the file chosen, posted as a browser does."""
    shown = await http.get(f"/console/attendance?meeting={meeting}&lang={lang}", headers=headers)
    assert shown.status_code == 200, shown.text
    assert 'type="file"' in shown.text
    assert 'enctype="multipart/form-data"' in shown.text
    return await http.post(
        f"/console/attendance?lang={lang}",
        data={"meeting": meeting, "csrf": csrf_of(shown.text)},
        files={"file": ("attendance.csv", content, "text/csv")},
        headers={
            **headers,
            "Cookie": f"pesnet_csrf={shown.cookies.get('pesnet_csrf')}",
            "Accept": "text/html",
        },
    )


def rows(page: str) -> list[list[str]]:
    body = page.split('id="attendance-lines"', 1)[1].split("</table>", 1)[0]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr class=\"outcome-[^\"]+\">(.*?)</tr>", body, re.S)
    ]


async def test_the_tools_file_is_uploaded_and_each_line_says_where_it_stands(
    registration: Registration, register: Register, secretariat: dict[str, str]
) -> None:
    meeting = await meeting_closing_today(registration)
    online = await confirmed(registration, register, secretariat, 5, meeting=meeting)
    email = (
        await registration.http.get(f"/registrations/{online['id']}", headers=secretariat)
    ).json()["email"]
    # as a meeting tool writes it: UTF-16 with its mark, tab-separated, the address third
    listed = (
        "Nom complet\tDurée\tE-mail\n"
        f"Amina Benali\t50 min\t{email}\n"
        "Invité\t12 min\tinvite@ailleurs.example\n"
        "Téléphone\t30 min\tn/a\n"
    )
    page = await upload(registration.http, meeting, listed.encode("utf-16"), secretariat, "fr")
    assert page.status_code == 200, page.text
    assert rows(page.text) == [
        ["2", "3", email, "présence enregistrée"],
        [
            "3",
            "3",
            "invite@ailleurs.example",
            "aucune inscription à cette réunion n'a cette adresse",
        ],
        ["4", "3", "n/a", "ce n'est pas une adresse électronique"],
    ]

    # a file that is not text says where it stops being text, in Arabic on an Arabic page
    broken = "Nom;E-mail\nRené;rene@example.org\n".encode("latin-1")
    refused = await upload(registration.http, meeting, broken, secretariat, "ar")
    assert refused.status_code == 422
    assert 'dir="rtl"' in refused.text
    error = html.unescape(refused.text.split('id="attendance-error">', 1)[1].split("</p>", 1)[0])
    assert error == "الملف ليس نصا بترميز UTF-8: السطر 2، العمود 4"
