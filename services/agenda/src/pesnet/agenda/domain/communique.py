"""A meeting's final communiqué: numbered paragraphs (decisions and recommendations) in
ar/en/fr, drafted by the secretariat, amended during the closing session (each amendment
proposed by a delegation, accepted or not), adopted at a recorded time, then published.

A draft may be redrafted and amended; an adopted communiqué is the record and changes no
more (it is only published). The numbers are the paragraphs' order: an accepted
amendment that adds a paragraph adds it at the end."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pesnet.shared.errors import Conflict, InvalidInput, NotFound
from pesnet.shared.events.agenda import CommuniqueParagraph, ParagraphKind
from pesnet.shared.i18n import Localized
from pesnet.shared.reference import member_states
from pesnet.shared.translation import _

CommuniqueStatus = Literal["draft", "adopted", "published"]
AmendmentStatus = Literal["proposed", "accepted", "rejected"]


class Paragraph(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: ParagraphKind
    text: Localized
    illustrative: bool = False


class Amendment(BaseModel):
    """A delegation's proposal: `paragraph_id`'s new text, or (without one) a new
    paragraph of `kind`."""

    model_config = ConfigDict(frozen=True)

    id: str
    proposed_by: str  # the delegation: a member state (ISO 3166 alpha-3)
    paragraph_id: str | None = None
    kind: ParagraphKind = "decision"
    text: Localized
    proposed_at: datetime
    status: AmendmentStatus = "proposed"
    decided_at: datetime | None = None


def _check_text(text: Localized, field: str) -> None:
    missing = text.missing()
    if missing:
        raise InvalidInput(
            _("the text is missing in {language}"),
            field=f"{field}.{missing[0].value}",
            params={"language": missing[0].value},
        )


class Communique(BaseModel):
    model_config = ConfigDict(frozen=True)

    meeting_id: str
    status: CommuniqueStatus = "draft"
    paragraphs: tuple[Paragraph, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    drafted_at: datetime | None = None
    adopted_at: datetime | None = None
    published_at: datetime | None = None

    # what it reads ---------------------------------------------------------
    def numbered(self) -> list[CommuniqueParagraph]:
        return [
            CommuniqueParagraph(
                paragraph_id=p.id,
                number=n,
                kind=p.kind,
                text=p.text,
                illustrative=p.illustrative,
            )
            for n, p in enumerate(self.paragraphs, start=1)
        ]

    def paragraph(self, paragraph_id: str) -> Paragraph:
        for p in self.paragraphs:
            if p.id == paragraph_id:
                return p
        raise NotFound(
            _("the communiqué has no paragraph {paragraph}"),
            field="paragraph_id",
            params={"paragraph": paragraph_id},
        )

    @property
    def pending(self) -> list[Amendment]:
        return [a for a in self.amendments if a.status == "proposed"]

    @property
    def illustrative(self) -> bool:
        return any(p.illustrative for p in self.paragraphs)

    # what happens to it ----------------------------------------------------
    def _still_draft(self) -> None:
        if self.status != "draft":
            raise Conflict(
                _("the communiqué is adopted already and changes no more"), field="status"
            )

    def redraft(self, paragraphs: tuple[Paragraph, ...], at: datetime) -> Communique:
        """The secretariat's (new) draft; amendments already decided stay on record."""
        self._still_draft()
        if not paragraphs:
            raise InvalidInput(_("a communiqué has at least one paragraph"), field="paragraphs")
        ids = [p.id for p in paragraphs]
        if len(set(ids)) != len(ids):
            raise InvalidInput(_("two paragraphs have the same id"), field="paragraphs")
        for n, p in enumerate(paragraphs):
            _check_text(p.text, f"paragraphs.{n}.text")
        if self.pending:
            raise Conflict(_("decide the pending amendments before redrafting"), field="amendments")
        return self.model_copy(update={"paragraphs": paragraphs, "drafted_at": at})

    def propose(
        self,
        *,
        proposed_by: str,
        paragraph_id: str | None,
        kind: ParagraphKind,
        text: Localized,
        at: datetime,
    ) -> tuple[Communique, Amendment]:
        self._still_draft()
        if proposed_by not in member_states():
            raise InvalidInput(
                _("{country} is not an OIC member state"),
                field="proposed_by",
                params={"country": proposed_by},
            )
        if paragraph_id is not None:
            self.paragraph(paragraph_id)
        _check_text(text, "text")
        amendment = Amendment(
            id=f"a{len(self.amendments) + 1}",
            proposed_by=proposed_by,
            paragraph_id=paragraph_id,
            kind=self.paragraph(paragraph_id).kind if paragraph_id else kind,
            text=text,
            proposed_at=at,
        )
        return self.model_copy(update={"amendments": (*self.amendments, amendment)}), amendment

    def decide(self, amendment_id: str, accepted: bool, at: datetime) -> Communique:
        """Accepted: the paragraph reads as proposed (or the new one is added)."""
        self._still_draft()
        found = next((a for a in self.amendments if a.id == amendment_id), None)
        if found is None:
            raise NotFound(
                _("the communiqué has no amendment {amendment}"),
                field="amendment_id",
                params={"amendment": amendment_id},
            )
        if found.status != "proposed":
            raise Conflict(_("this amendment is decided already"), field="amendment_id")
        decided = found.model_copy(
            update={"status": "accepted" if accepted else "rejected", "decided_at": at}
        )
        amendments = tuple(decided if a.id == amendment_id else a for a in self.amendments)
        paragraphs = self.paragraphs
        if accepted and found.paragraph_id is not None:
            paragraphs = tuple(
                p.model_copy(update={"text": found.text, "illustrative": False})
                if p.id == found.paragraph_id
                else p
                for p in paragraphs
            )
        elif accepted:
            paragraphs = (
                *paragraphs,
                Paragraph(id=self._new_id(), kind=found.kind, text=found.text),
            )
        return self.model_copy(update={"amendments": amendments, "paragraphs": paragraphs})

    def _new_id(self) -> str:
        taken = {p.id for p in self.paragraphs}
        n = len(self.paragraphs) + 1
        while f"p{n}" in taken:
            n += 1
        return f"p{n}"

    def adopt(self, at: datetime) -> Communique:
        self._still_draft()
        if not self.paragraphs:
            raise Conflict(_("a communiqué has at least one paragraph"), field="paragraphs")
        if self.pending:
            raise Conflict(_("decide the pending amendments before adopting"), field="amendments")
        return self.model_copy(update={"status": "adopted", "adopted_at": at})

    def publish(self, at: datetime) -> Communique:
        if self.status == "draft":
            raise Conflict(_("only an adopted communiqué is published"), field="status")
        if self.status == "published":
            raise Conflict(_("the communiqué is published already"), field="status")
        return self.model_copy(update={"status": "published", "published_at": at})
