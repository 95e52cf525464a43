"""The language check's hook (`scripts/check_languages.py`): every label the report
template names is one of the report's words (whose ar and fr the catalog check
covers, like every other word of the action plan)."""

from __future__ import annotations

import re
from importlib.resources import files

from pesnet.actionplan.adapters.report import DECISION_TEXT, TEXT


def missing_translations() -> list[str]:
    template = files("pesnet.actionplan.adapters").joinpath("templates/report.html").read_text()
    return [
        f"templates/report.html: text {key!r} is not defined"
        for key in sorted(set(re.findall(r"text\.(\w+)", template)))
        if key not in TEXT and key not in DECISION_TEXT
    ]
