"""Fails when a user-facing text lacks one of ar, en, fr.

Checks every localized value ({ar, en, fr} objects) in the packaged seed data,
and asks each service that has templates or fixed texts for its own list of
gaps (`pesnet.<service>.translations.missing_translations()`, or
`pesnet.<service>.templates.missing_translations()`).
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ar", "en", "fr")
SERVICES = ("registration", "agenda", "actionplan", "notifications", "identity")


def localized_gaps(node: Any, where: str) -> Iterator[str]:
    if isinstance(node, dict):
        keys = set(node)
        if keys & set(LANGS) and keys <= {*LANGS, "note"}:
            for lang in LANGS:
                if not str(node.get(lang) or "").strip():
                    yield f"{where}: missing {lang}"
            return
        for key, value in node.items():
            yield from localized_gaps(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from localized_gaps(value, f"{where}[{i}]")


def seed_gaps() -> list[str]:
    gaps: list[str] = []
    for path in sorted(ROOT.glob("*/**/src/pesnet/**/*.json")):
        if ".venv" in path.parts:
            continue
        gaps.extend(localized_gaps(json.loads(path.read_text()), str(path.relative_to(ROOT))))
    return gaps


def service_gaps() -> list[str]:
    gaps: list[str] = []
    for service in SERVICES:
        for module_name in ("translations", "templates"):
            try:
                module = importlib.import_module(f"pesnet.{service}.{module_name}")
            except ModuleNotFoundError:
                continue
            check = getattr(module, "missing_translations", None)
            if check is not None:
                gaps.extend(f"{service}: {gap}" for gap in check())
    return gaps


# What `make translations` extracts (see babel.cfg): the interface's own words.
EXTRACT_METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.j2", "jinja2"),
]
KEYWORDS: dict[str, Any] = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    # a vocabulary's term: its context (msgctxt), then its text
    "NC_": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog_gaps(root: Path = ROOT) -> list[str]:
    """Every text marked for translation in a package with a `locale/` folder must have
    a finished translation (non-empty, not fuzzy) in its ar and fr catalogs."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    gaps: list[str] = []
    for locale_dir in sorted(root.glob("*/**/src/pesnet/*/locale")):
        if ".venv" in locale_dir.parts:
            continue
        package = locale_dir.parent
        where = str(package.relative_to(root))
        ids = {
            (message if isinstance(message, str) else message[0], context)
            for _, _, message, _, context in extract_from_dir(
                str(package), EXTRACT_METHODS, keywords=KEYWORDS
            )
        }
        for lang in ("ar", "fr"):
            po = locale_dir / lang / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                gaps.append(f"{where}: no {lang} catalog (run `make translations`)")
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            for message_id, context in sorted(ids, key=lambda pair: (pair[0], pair[1] or "")):
                name = f"{context}: {message_id!r}" if context else repr(message_id)
                entry = catalog.get(message_id, context=context)
                if entry is None:
                    gaps.append(f"{where} [{lang}]: not in the catalog: {name}")
                elif entry.fuzzy:
                    gaps.append(f"{where} [{lang}]: fuzzy: {name}")
                elif not entry.string:
                    gaps.append(f"{where} [{lang}]: not translated: {name}")
                elif isinstance(entry.string, (tuple, list)) and (
                    len(entry.string) != catalog.num_plurals or not all(entry.string)
                ):
                    # Arabic counts in six forms (zero, one, two, few, many, other)
                    gaps.append(
                        f"{where} [{lang}]: {catalog.num_plurals} plural forms needed: {name}"
                    )
                elif isinstance(entry.string, str) and (
                    unknown := set(PLACEHOLDER.findall(entry.string))
                    - set(PLACEHOLDER.findall(message_id))
                ):
                    # a value the code never gives would leave the message in English
                    gaps.append(f"{where} [{lang}]: unknown {sorted(unknown)} in: {name}")
    return gaps


def main() -> int:
    gaps = seed_gaps() + service_gaps() + catalog_gaps()
    for gap in gaps:
        print(gap)
    if gaps:
        print(f"{len(gaps)} user-facing texts lack a language", file=sys.stderr)
        return 1
    print("every user-facing text exists in ar, en and fr")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
