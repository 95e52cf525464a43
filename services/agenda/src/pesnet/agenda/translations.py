"""The language check's hook (`scripts/check_languages.py`): every fixed text of
the agenda — page labels, session kinds, changelog summaries, session-change
notices — exists in ar, en and fr."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from importlib.resources import files

from pesnet.agenda.adapters.labels import KIND_LABELS, LABELS
from pesnet.agenda.domain.participants import BACK_NOTICES, WITHDRAWN_NOTICES
from pesnet.agenda.domain.programme import Draft
from pesnet.agenda.domain.release import release
from pesnet.shared.i18n import Localized


def missing_translations() -> list[str]:
    gaps: list[str] = []
    texts: dict[str, Localized] = {
        **{f"label {k}": v for k, v in LABELS.items()},
        **{f"kind {k}": v for k, v in KIND_LABELS.items()},
        **{f"withdrawn notice {k}": v for k, v in WITHDRAWN_NOTICES.items()},
        **{f"confirmed-again notice {k}": v for k, v in BACK_NOTICES.items()},
    }
    template = files("pesnet.agenda.adapters").joinpath("templates/programme.html").read_text()
    for key in sorted(set(re.findall(r"labels\.(\w+)", template))):
        if key not in LABELS:
            gaps.append(f"templates/programme.html: label {key!r} is not defined")
    for name, text in texts.items():
        gaps.extend(f"{name}: missing {lang}" for lang in text.missing())
    for kind, summary in _every_change_summary().items():
        gaps.extend(f"changelog {kind}: missing {lang}" for lang in summary.missing())
    return gaps


def _every_change_summary() -> dict[str, Localized]:
    """Make one change of each kind on the seed programme and collect the summaries."""
    from pesnet.agenda.service_layer.seed import seed_meeting, seed_sessions

    meeting = seed_meeting()
    draft = Draft(meeting_id=meeting.id)
    for session in seed_sessions():
        draft = draft.add(meeting, session)
    now = datetime(2024, 2, 1, tzinfo=UTC)
    first = release(meeting, None, draft.sessions, set(meeting.people), now)
    overview = draft.get("overview")
    changed = draft.replace(
        meeting,
        overview.model_copy(
            update={
                "title": Localized(ar="ع", en="T", fr="T"),
                "speakers": ("demirtas", "selcuk"),
                "room": "Atlas",
                "start": time(11, 45),
            }
        ),
    ).remove("dinner")
    second = release(meeting, first, changed.sessions, set(meeting.people), now)
    summaries: dict[str, Localized] = {c.kind: c.summary for c in (*first.changes, *second.changes)}
    return summaries
