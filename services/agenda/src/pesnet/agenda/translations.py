"""The language check's hook (`scripts/check_languages.py`): every label the programme
template names is one of the agenda's words (whose ar and fr the catalog check covers,
like every other word of the agenda)."""

from __future__ import annotations

import re
from importlib.resources import files

from pesnet.agenda.adapters.labels import LABELS


def missing_translations() -> list[str]:
    template = files("pesnet.agenda.adapters").joinpath("templates/programme.html").read_text()
    return [
        f"templates/programme.html: label {key!r} is not defined"
        for key in sorted(set(re.findall(r"labels\.(\w+)", template)))
        if key not in LABELS
    ]
