"""Programme releases: immutable numbered versions with a changelog against the
previous version (pretalx's model). A release carries everything needed to render
it later (the meeting's details, people and institutions as they were), so every
past version stays readable exactly as it was published."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.agenda.domain.meeting import Meeting
from pesnet.agenda.domain.programme import Session, check_publishable, overlaps
from pesnet.shared.errors import Conflict
from pesnet.shared.i18n import LANGUAGES, Localized, format_local_date
from pesnet.shared.translation import _

ChangeKind = Literal["added", "removed", "moved", "retitled", "speakers_changed", "changed"]


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    session_id: str
    title: Localized
    summary: Localized
    # the people (person ids) this change concerns: the session's moderators and
    # speakers before and after it
    people: tuple[str, ...] = ()


class Release(BaseModel):
    model_config = ConfigDict(frozen=True)

    meeting_id: str
    version: int
    released_at: datetime
    meeting: Meeting
    sessions: tuple[Session, ...]
    changes: tuple[Change, ...]

    def person_sessions(self, person_id: str) -> list[Session]:
        return [s for s in self.sessions if person_id in s.people()]


class ReleaseSummary(BaseModel):
    """A version in the list of releases: when, and its changelog (no sessions)."""

    model_config = ConfigDict(frozen=True)

    version: int
    released_at: datetime
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ProgrammeView:
    """What a rendering shows: a release, or the current draft (version None)."""

    meeting: Meeting
    sessions: Sequence[Session]
    version: int | None = None
    released_at: datetime | None = None
    changes: Sequence[Change] = field(default_factory=tuple)

    @classmethod
    def of_release(cls, release: Release) -> ProgrammeView:
        return cls(
            meeting=release.meeting,
            sessions=release.sessions,
            version=release.version,
            released_at=release.released_at,
            changes=release.changes,
        )

    def ordered(self) -> list[Session]:
        return sorted(self.sessions, key=lambda s: (s.day, s.start, s.id))

    def for_person(self, person_id: str | None) -> ProgrammeView:
        """A participant's own calendar: the plenaries, which concern everyone, and the
        sessions the person (None: a participant without a role) speaks or moderates in."""
        mine = [s for s in self.sessions if s.plenary or (person_id and person_id in s.people())]
        ids = {s.id for s in mine}
        return ProgrammeView(
            meeting=self.meeting,
            sessions=mine,
            version=self.version,
            released_at=self.released_at,
            changes=[c for c in self.changes if c.session_id in ids or person_id in c.people],
        )


def _span(session: Session, language: str) -> str:
    day = format_local_date(session.day, language, "full")
    end = f"{session.end:%H:%M}" if session.end else "…"
    return f"{day} {session.start:%H:%M}–{end}"


def _trilingual(template: dict[str, str], **values: object) -> Localized:
    return Localized(**{lang: template[lang].format(**values) for lang in LANGUAGES})


def _names(meeting: Meeting, people: Sequence[str], language: str) -> str:
    labels = [meeting.people[p].name.get(language) if p in meeting.people else p for p in people]
    return "، ".join(labels) if language == "ar" else ", ".join(labels)


def changelog(
    meeting: Meeting, previous: Release | None, sessions: Sequence[Session]
) -> list[Change]:
    """What changed from `previous` (None: the first version) to `sessions`."""
    before = {s.id: s.content() for s in previous.sessions} if previous else {}
    after = {s.id: s.content() for s in sessions}
    old_meeting = previous.meeting if previous else meeting
    changes: list[Change] = []
    for session in sorted(after.values(), key=lambda s: (s.day, s.start, s.id)):
        old = before.get(session.id)
        if old is None:
            changes.append(
                Change(
                    kind="added",
                    session_id=session.id,
                    title=session.title,
                    summary=Localized(
                        ar=f"جلسة جديدة: {_span(session, 'ar')}",
                        en=f"New session: {_span(session, 'en')}",
                        fr=f"Nouvelle séance : {_span(session, 'fr')}",
                    ),
                    people=session.people(),
                )
            )
            continue
        if old == session:
            continue
        people = tuple(dict.fromkeys((*old.people(), *session.people())))
        if (old.day, old.start, old.end) != (session.day, session.start, session.end):
            changes.append(
                Change(
                    kind="moved",
                    session_id=session.id,
                    title=session.title,
                    summary=Localized(
                        ar=f"نُقلت الجلسة من {_span(old, 'ar')} إلى {_span(session, 'ar')}",
                        en=f"Moved from {_span(old, 'en')} to {_span(session, 'en')}",
                        fr=f"Déplacée du {_span(old, 'fr')} au {_span(session, 'fr')}",
                    ),
                    people=people,
                )
            )
        if old.title != session.title:
            changes.append(
                Change(
                    kind="retitled",
                    session_id=session.id,
                    title=session.title,
                    summary=_trilingual(
                        {
                            "ar": "تغيّر العنوان: كان «{ar}»",
                            "en": "Title changed, was “{en}”",
                            "fr": "Titre modifié, auparavant « {fr} »",
                        },
                        ar=old.title.get("ar"),
                        en=old.title.get("en"),
                        fr=old.title.get("fr"),
                    ),
                    people=people,
                )
            )
        if (old.moderators, old.speakers, old.moderating_institutions) != (
            session.moderators,
            session.speakers,
            session.moderating_institutions,
        ):
            added = [p for p in session.people() if p not in old.people()]
            removed = [p for p in old.people() if p not in session.people()]
            summary: dict[str, str] = {}
            for lang in LANGUAGES:
                parts = []
                if added:
                    names = _names(meeting, added, lang)
                    parts.append(
                        {"ar": f"أُضيف: {names}", "en": f"added {names}", "fr": f"ajout : {names}"}[
                            lang
                        ]
                    )
                if removed:
                    names = _names(old_meeting, removed, lang)
                    parts.append(
                        {
                            "ar": f"حُذف: {names}",
                            "en": f"removed {names}",
                            "fr": f"retrait : {names}",
                        }[lang]
                    )
                if not parts:
                    parts.append(
                        {
                            "ar": "تغيّر الترتيب أو الأدوار",
                            "en": "order or roles changed",
                            "fr": "ordre ou rôles modifiés",
                        }[lang]
                    )
                label = {
                    "ar": "المتحدثون والمسيّرون",
                    "en": "Speakers and moderators",
                    "fr": "Intervenants et modérateurs",
                }[lang]
                separator = "؛ " if lang == "ar" else "; "
                summary[lang] = f"{label}: {separator.join(parts)}"
            changes.append(
                Change(
                    kind="speakers_changed",
                    session_id=session.id,
                    title=session.title,
                    summary=Localized(**summary),
                    people=people,
                )
            )
        other_fields = [
            name
            for name in ("kind", "description", "points", "room", "interpretation_languages")
            if getattr(old, name) != getattr(session, name)
        ]
        if other_fields:
            field_labels = {
                "kind": {"ar": "النوع", "en": "type", "fr": "type"},
                "description": {"ar": "الوصف", "en": "description", "fr": "description"},
                "points": {"ar": "البنود", "en": "points", "fr": "points"},
                "room": {"ar": "القاعة", "en": "room", "fr": "salle"},
                "interpretation_languages": {
                    "ar": "لغات الترجمة",
                    "en": "interpretation",
                    "fr": "interprétation",
                },
            }
            changes.append(
                Change(
                    kind="changed",
                    session_id=session.id,
                    title=session.title,
                    summary=Localized(
                        ar="تغيّرت التفاصيل: "
                        + "، ".join(field_labels[f]["ar"] for f in other_fields),
                        en="Details changed: "
                        + ", ".join(field_labels[f]["en"] for f in other_fields),
                        fr="Détails modifiés : "
                        + ", ".join(field_labels[f]["fr"] for f in other_fields),
                    ),
                    people=people,
                )
            )
    for old in sorted(before.values(), key=lambda s: (s.day, s.start, s.id)):
        if old.id not in after:
            changes.append(
                Change(
                    kind="removed",
                    session_id=old.id,
                    title=old.title,
                    summary=Localized(
                        ar=f"أُلغيت الجلسة ({_span(old, 'ar')})",
                        en=f"Removed from the programme (was {_span(old, 'en')})",
                        fr=f"Retirée du programme (prévue {_span(old, 'fr')})",
                    ),
                    people=old.people(),
                )
            )
    return changes


def _meeting_facts(meeting: Meeting) -> Meeting:
    """The meeting as a release keeps it (without the working state of the next-meeting decision)."""
    return meeting.model_copy(update={"next_meeting": None})


def _shown(meeting: Meeting, sessions: Sequence[Session]) -> tuple[object, ...]:
    """What a rendered programme shows of the meeting: a change elsewhere (registration
    opening, a person's e-mail) does not make a new version."""
    people = {p for s in sessions for p in s.people()}
    institutions = {i for s in sessions for i in s.moderating_institutions} | {
        meeting.people[p].institution for p in people if p in meeting.people
    }
    return (
        meeting.title,
        meeting.city,
        meeting.venue,
        meeting.country,
        meeting.timezone,
        meeting.start_date,
        meeting.end_date,
        meeting.interpretation_languages,
        sorted(
            (p.id, p.name, p.honorific, p.position, p.institution)
            for p in meeting.people.values()
            if p.id in people
        ),
        sorted(
            (i.id, i.name, i.acronym) for i in meeting.institutions.values() if i.id in institutions
        ),
    )


def release(
    meeting: Meeting,
    previous: Release | None,
    sessions: Sequence[Session],
    confirmed_people: set[str],
    released_at: datetime,
    *,
    confirm_overlaps: bool = False,
) -> Release:
    """Publish `sessions` as the next version, or refuse (422 what is missing, 409
    nothing changed, or sessions overlap and `confirm_overlaps` was not given)."""
    ordered = tuple(s.content() for s in sorted(sessions, key=lambda s: (s.day, s.start, s.id)))
    check_publishable(meeting, ordered, confirmed_people)
    found = overlaps(meeting, ordered)
    if found and not confirm_overlaps:
        raise Conflict(
            _(
                "sessions overlap in the same room: {pairs}; release with confirm_overlaps "
                "to publish them as they are"
            ),
            field="confirm_overlaps",
            params={"pairs": ", ".join(f"{o.first} / {o.second}" for o in found)},
        )
    changes = changelog(meeting, previous, ordered)
    facts = _meeting_facts(meeting)
    if (
        previous is not None
        and not changes
        and _shown(previous.meeting, previous.sessions) == _shown(facts, ordered)
    ):
        raise Conflict(
            _("the draft is identical to version {version}; nothing to release"),
            params={"version": previous.version},
        )
    return Release(
        meeting_id=meeting.id,
        version=(previous.version + 1) if previous else 1,
        released_at=released_at,
        meeting=facts,
        sessions=ordered,
        changes=tuple(changes),
    )


def affected_people(changes: Sequence[Change]) -> dict[str, list[str]]:
    """person id → the ids of the changed sessions they have (or had) a role in."""
    result: dict[str, list[str]] = {}
    for change in changes:
        for person in change.people:
            ids = result.setdefault(person, [])
            if change.session_id not in ids:
                ids.append(change.session_id)
    return result
