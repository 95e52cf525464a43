"""The network has one name in each language, the kernel's term, wherever it is said:
the pages' header and footer, the meetings' titles (and so the badges and the
calendars that print them), the mails' footer and the chair's handover, the action
plan's title. No service writes a copy of it, in any language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from starlette.requests import Request

from pesnet.actionplan.domain.plan import default_title
from pesnet.agenda.domain.meeting import ordinal_title
from pesnet.agenda.service_layer.seed import DEMO_TITLE, seed_meeting
from pesnet.notifications.domain.notices import Person, chairmanship_notice
from pesnet.notifications.templates import render
from pesnet.registration.seed import PESNET_4, demo_meeting
from pesnet.shared.i18n import Language
from pesnet.shared.terms import NETWORK_NAME
from pesnet.shared.translation import translate
from pesnet.shared.web import Pages
from tests.integration.notifications import notifications_factories as f

ROOT = Path(__file__).resolve().parents[3]
NAMES = {
    "ar": "شبكة منظمة التعاون الإسلامي لخدمات التوظيف العامة (OIC-PESNET)",
    "en": "OIC Public Employment Services Network (OIC-PESNET)",
    "fr": "Réseau des services publics de l'emploi de l'OCI (OIC-PESNET)",
}
# any way of writing the network's name out (the acronym alone is no copy of it)
COPIES = re.compile(
    r"Public Employment Services Network|services publics de l.emploi de l.OCI"
    r"|شبكة[^.،\n]{0,40}(?:التوظيف|التشغيل) العامة"
)


def test_the_network_s_name_is_one_term_in_each_language() -> None:
    assert {lang: NETWORK_NAME.get(lang) for lang in NAMES} == NAMES
    # a name keeps its capitals inside a sentence
    assert translate("the {network}", "en", {"network": NETWORK_NAME}) == "the " + NAMES["en"]


def _sources() -> list[Path]:
    found = []
    for base in (ROOT / "shared" / "src", *(ROOT / "services").glob("*/src")):
        for path in base.rglob("*"):
            if path.suffix in {".py", ".html", ".j2", ".txt"} and path.name != "terms.py":
                found.append(path)
    return found


def test_no_service_writes_a_copy_of_the_network_s_name() -> None:
    copies = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COPIES.search(line)
    ]
    assert copies == []


def test_no_catalog_translates_a_copy_of_the_network_s_name() -> None:
    copies = []
    for path in ROOT.glob("*/src/pesnet/*/locale/*/LC_MESSAGES/messages.po"):
        copies += _catalog_copies(path)
    for path in ROOT.glob("services/*/src/pesnet/*/locale/*/LC_MESSAGES/messages.po"):
        copies += _catalog_copies(path)
    assert copies == []


def _catalog_copies(path: Path) -> list[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if message.context == "network" or not message.id:
            continue
        texts = [*_texts(message.id), *_texts(message.string)]
        if any(COPIES.search(t) for t in texts):
            found.append(f"{path.relative_to(ROOT)}: {_texts(message.id)[0][:60]}")
    return found


def _texts(value: object) -> list[str]:
    if isinstance(value, (tuple, list)):
        return [str(v) for v in value]
    return [str(value or "")]


@pytest.mark.parametrize("language", ["ar", "en", "fr"])
def test_pages_meetings_mails_and_plans_say_the_term(language: str) -> None:
    name = NAMES[language]
    request = Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [],
         "query_string": f"lang={language}".encode()}
    )  # fmt: skip
    page = Pages("pesnet.registration").render(request, "error.html", {"message": "x"})
    assert unescape(bytes(page.body).decode()).count(name) >= 2  # header and footer
    assert name in ordinal_title(5).get(language)
    assert name in seed_meeting().title.get(language)
    assert name in DEMO_TITLE.get(language)
    assert name in PESNET_4.title.get(language)
    assert name in demo_meeting(datetime(2026, 1, 1, tzinfo=UTC)).title.get(language)
    assert name in default_title("2024-2026").get(language)
    person = Person("chair@example.org", "Amina", Language(language))
    notice = chairmanship_notice(f.chairmanship(), person, date(2024, 3, 1))
    mail = render(notice.kind, language, notice.context, preferences_url="u")
    assert mail.text.count(name) == 2  # the handover and the footer
    assert unescape(mail.html).count(name) == 2
