"""The network's chairmanship: terms held by a member institution, rotating between
the OIC regional groups, handed over at a meeting."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.agenda.domain.meeting import UNKNOWN_INSTITUTION
from pesnet.shared.errors import Conflict, InvalidInput
from pesnet.shared.i18n import Localized
from pesnet.shared.institutions import Institution, Names
from pesnet.shared.reference import member_states
from pesnet.shared.translation import _

OICGroup = Literal["arab", "asian", "african"]


class ChairHolder(BaseModel):
    """An institution holding (or vice-holding) the chair. Its name is the reference's
    (`named_by`); a term recorded before the agenda kept the reference, or of an
    institution the reference lacks, keeps the name it was recorded with."""

    model_config = ConfigDict(frozen=True)

    institution: str
    name: Localized | None = None
    acronym: str | None = None
    country: str
    oic_group: OICGroup

    def named_by(self, found: Institution | None, field: str) -> ChairHolder:
        """The holder named as the reference (`found`: its entry, if any) names it; an
        institution neither the reference nor the request names is refused."""
        if found is not None:
            return self.model_copy(update={"name": found.name, "acronym": found.acronym})
        if self.name is None:
            raise InvalidInput(
                UNKNOWN_INSTITUTION,
                field=f"{field}.institution",
                params={"institution_id": self.institution},
            )
        return self

    def label(self, reference: Names, language: str) -> str:
        """How a reader of `language` reads the holder: the reference's name now, else
        the name it was recorded with, else its id."""
        found = reference.get(self.institution)
        if found is not None:
            return found.label(language)
        recorded = Institution(id=self.institution, name=self.name, acronym=self.acronym)
        return recorded.label(language) if self.name is not None else self.institution

    def check(self, field: str) -> None:
        state = member_states().get(self.country)
        if state is None:
            raise InvalidInput(
                _("{country} is not an OIC member state"),
                field=f"{field}.country",
                params={"country": self.country},
            )
        # a state whose group the reference data leaves open takes the group given here
        if state.oic_group is not None and state.oic_group != self.oic_group:
            raise InvalidInput(
                _("{country} belongs to the {group} group, not {given}"),
                field=f"{field}.oic_group",
                params={"country": self.country, "group": state.oic_group, "given": self.oic_group},
            )


class ChairTerm(BaseModel):
    model_config = ConfigDict(frozen=True)

    holder: ChairHolder
    term: str | None = None  # "2024-2026"
    from_date: date | None = None
    to_date: date | None = None
    meeting_id: str | None = None  # the meeting at which the chair was handed over
    vice_chair: ChairHolder | None = None


class ChairStanding(BaseModel):
    """The chairmanship on a given day: who holds it, who will, who did."""

    model_config = ConfigDict(frozen=True)

    current: ChairTerm | None = None
    upcoming: tuple[ChairTerm, ...] = ()
    past: tuple[ChairTerm, ...] = ()


class AlreadyRecorded(Conflict):
    """The same term or handover is already in the history (a repeated request)."""


class Chairmanship(BaseModel):
    model_config = ConfigDict(frozen=True)

    terms: tuple[ChairTerm, ...] = ()

    @property
    def current(self) -> ChairTerm | None:
        open_terms = [t for t in self.terms if t.to_date is None]
        return open_terms[-1] if open_terms else None

    @property
    def past(self) -> list[ChairTerm]:
        return [t for t in self.terms if t.to_date is not None]

    def standing(self, today: date) -> ChairStanding:
        """The chair as it stands on `today`: a handover takes effect on its date, so a
        term that starts later is upcoming, and the term it closes is still current."""

        def started(t: ChairTerm) -> bool:
            return t.from_date is None or t.from_date <= today

        def ended(t: ChairTerm) -> bool:
            return t.to_date is not None and t.to_date <= today

        running = [t for t in self.terms if started(t) and not ended(t)]
        return ChairStanding(
            current=running[-1] if running else None,
            upcoming=tuple(t for t in self.terms if not started(t)),
            past=tuple(t for t in self.terms if ended(t)),
        )

    def record_term(self, term: ChairTerm) -> Chairmanship:
        """Record a term from before the platform (no handover happens now)."""
        term.holder.check("holder")
        if term.vice_chair:
            term.vice_chair.check("vice_chair")
        for existing in self.terms:
            if (
                existing.holder.institution == term.holder.institution
                and existing.term == term.term
            ):
                raise AlreadyRecorded(
                    _("{institution} {term} is already recorded"),
                    params={"institution": term.holder.institution, "term": term.term or ""},
                )
        if term.to_date is None and self.current is not None:
            raise Conflict(
                _("{institution} holds the chair: record a handover instead"),
                field="to_date",
                params={"institution": self.current.holder.institution},
            )
        if term.from_date and term.to_date and term.to_date < term.from_date:
            raise InvalidInput(_("a term ends after it starts"), field="to_date")
        ordered = sorted(
            (*self.terms, term), key=lambda t: (t.to_date is None, t.from_date or date.min)
        )
        return Chairmanship(terms=tuple(ordered))

    def hand_over(
        self,
        incoming: ChairHolder,
        *,
        effective_date: date,
        term: str,
        meeting_id: str | None,
        vice_chair: ChairHolder | None = None,
    ) -> tuple[Chairmanship, ChairTerm | None, ChairTerm]:
        """Close the current term and open the incoming one; returns (new state, outgoing, incoming)."""
        incoming.check("incoming")
        if vice_chair:
            vice_chair.check("vice_chair")
        for existing in self.terms:
            if existing.holder.institution == incoming.institution and existing.term == term:
                raise AlreadyRecorded(
                    _("{institution} already holds the {term} term"),
                    params={"institution": incoming.institution, "term": term},
                )
        current = self.current
        if current is not None:
            if current.holder.institution == incoming.institution:
                raise Conflict(
                    _("{institution} already holds the chair"),
                    field="incoming.institution",
                    params={"institution": incoming.institution},
                )
            if current.from_date and effective_date < current.from_date:
                raise InvalidInput(
                    _("the current term started on {date}"),
                    field="effective_date",
                    params={"date": current.from_date.isoformat()},
                )
        new_term = ChairTerm(
            holder=incoming,
            term=term,
            from_date=effective_date,
            meeting_id=meeting_id,
            vice_chair=vice_chair,
        )
        outgoing = current.model_copy(update={"to_date": effective_date}) if current else None
        terms = [outgoing if t is current else t for t in self.terms]
        return (
            Chairmanship(terms=(*[t for t in terms if t is not None], new_term)),
            outgoing,
            new_term,
        )
