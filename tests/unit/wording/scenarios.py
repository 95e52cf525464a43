"""Every text the code composes in three languages, computed through the public
functions that compose it: the wording parity test compares them with what the same
functions said before their words moved into the gettext catalogs
(`before.json`, written once by the code as it was)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from pesnet.shared.i18n import Localized


def _texts(value: Localized) -> dict[str, str]:
    return {lang: value.get(lang) for lang in ("ar", "en", "fr")}


def changelog_scenarios() -> dict[str, list[dict[str, Any]]]:
    """Changelogs of releases of the seed programme: one change of every kind, and
    the variants of each (people added, removed, both, reordered; one field or several)."""
    from pesnet.agenda.domain.release import changelog
    from pesnet.agenda.service_layer.seed import seed_meeting, seed_sessions

    meeting = seed_meeting()
    sessions = seed_sessions()
    by_id = {s.id: s for s in sessions}

    def edited(**changes: Any) -> Callable[[str], list[Any]]:
        def edit(session_id: str) -> list[Any]:
            return [s.model_copy(update=changes) if s.id == session_id else s for s in sessions]

        return edit

    first = _release(meeting, sessions)
    overview = by_id["overview"]
    session_1 = by_id["session-1"]
    cases: dict[str, list[Any]] = {
        "first release": sessions,
        "moved": edited(start=time(11, 45), end=time(12, 45))("overview"),
        "moved to the next day": edited(day=date(2024, 3, 1))("overview"),
        "retitled": edited(title=Localized(ar="عنوان", en="Title", fr="Titre"))("overview"),
        "speakers added": edited(speakers=(*overview.speakers, "selcuk"))("overview"),
        "speakers removed": edited(speakers=overview.speakers[:1])("overview"),
        "speakers added and removed": edited(speakers=("selcuk", overview.speakers[0]))("overview"),
        "speakers reordered": edited(speakers=tuple(reversed(overview.speakers)))("overview"),
        "moderator added": edited(moderators=(*session_1.moderators, "souhail"))("session-1"),
        "moderating institution changed": edited(moderating_institutions=("sesric",))(
            "action-plan"
        ),
        "room": edited(room="Atlas")("overview"),
        "kind": edited(kind="panel")("overview"),
        "description and points": edited(
            description=Localized(ar="وصف", en="Description", fr="Description"),
            points=(Localized(ar="بند", en="Point", fr="Point"),),
        )("overview"),
        "interpretation": edited(interpretation_languages=("ar", "en"))("overview"),
        "every detail": edited(
            kind="panel",
            description=Localized(ar="وصف", en="Description", fr="Description"),
            room="Atlas",
            interpretation_languages=("fr",),
        )("overview"),
        "removed": [s for s in sessions if s.id != "dinner"],
        "open end removed": [s for s in sessions if s.id != "cultural-visit"],
        "added": [
            *sessions,
            overview.model_copy(update={"id": "extra", "start": time(18, 0), "end": None}),
        ],
    }
    result: dict[str, list[dict[str, Any]]] = {}
    for name, changed in cases.items():
        previous = None if name == "first release" else first
        result[name] = [
            {"kind": c.kind, "session": c.session_id, **_texts(c.summary)}
            for c in changelog(meeting, previous, changed)
        ]
    return result


def _release(meeting: Any, sessions: list[Any]) -> Any:
    from datetime import UTC, datetime

    from pesnet.agenda.domain.release import release

    everyone = set(meeting.people)
    return release(meeting, None, sessions, everyone, datetime(2024, 2, 1, tzinfo=UTC))


def composed_texts() -> dict[str, dict[str, str]]:
    """The other texts composed in code: notices, titles, labels."""
    from pesnet.actionplan.domain.plan import default_title
    from pesnet.agenda.domain.meeting import ordinal_title
    from pesnet.agenda.domain.participants import BACK_NOTICES, WITHDRAWN_NOTICES
    from pesnet.agenda.service_layer.releases import SPEAKERS_CHANGED

    texts: dict[str, Localized] = {
        **{f"withdrawn notice {k}": v for k, v in WITHDRAWN_NOTICES.items()},
        **{f"confirmed-again notice {k}": v for k, v in BACK_NOTICES.items()},
        "speakers changed": SPEAKERS_CHANGED,
        "plan title 2024-2026": default_title("2024-2026"),
        **{f"meeting title {n}": ordinal_title(n) for n in (*range(1, 25), 101, 111, 112)},
        **_actionplan_texts(),
    }
    return {name: _texts(value) for name, value in texts.items()}


def _actionplan_texts() -> dict[str, Localized]:
    from datetime import UTC, datetime

    from pesnet.actionplan.adapters.report import TEXT
    from pesnet.actionplan.domain.labels import ACTIVITY_TYPES, INDICATOR_STATES, PRIORITIES
    from pesnet.actionplan.domain.matching import Offer, PairScore, explain
    from pesnet.actionplan.domain.plan import default_title
    from pesnet.actionplan.domain.reminders import reporting_title
    from pesnet.shared.terms import LANGUAGE_NAMES

    texts: dict[str, Localized] = {
        **{f"report {k}": v for k, v in TEXT.items()},
        **{f"activity type {k}": v.localized() for k, v in ACTIVITY_TYPES.items()},
        **{f"indicator state {k}": v.localized() for k, v in INDICATOR_STATES.items()},
        **{f"priority {k}": v.localized() for k, v in PRIORITIES.items()},
        **{f"language {k}": v for k, v in LANGUAGE_NAMES.items()},
    }

    class _Plan:
        title = default_title("2024-2026")

    texts["reporting title"] = reporting_title(_Plan(), "2024-H2")  # type: ignore[arg-type]
    offer = Offer(
        id="o1",
        period="2024-2026",
        institution="iskur",
        thematic_area="digital",
        title=Localized(ar="منصة رقمية", en="Digital platform", fr="Plateforme numérique"),
        submitted_at=datetime(2024, 3, 1, tzinfo=UTC),
    )
    names = {
        "iskur": Localized(ar="إيشكور", en="İŞKUR", fr="İŞKUR"),
        "anapec": Localized(ar="الوكالة", en="ANAPEC", fr="ANAPEC"),
    }
    area = Localized(ar="الرقمنة", en="Digitalisation", fr="Numérisation")
    full = PairScore(
        need_id="n1",
        institution="anapec",
        score=3.0,
        shared_topics=["e-services", "job matching"],
        shared_formats=["workshop", "study_visit"],
        shared_languages=["ar", "fr"],
        priority="high",
    )
    bare = PairScore(
        need_id="n2",
        institution="nea",
        score=1.0,
        shared_topics=[],
        shared_formats=[],
        shared_languages=[],
        priority="low",
    )
    texts["match one need"] = explain(offer, [full], area, names)
    texts["match two needs"] = explain(offer, [full, bare], area, names)
    texts["match without area or names"] = explain(offer, [bare], None)
    return texts


def scenarios() -> dict[str, Any]:
    return {"changelogs": changelog_scenarios(), "texts": composed_texts()}
