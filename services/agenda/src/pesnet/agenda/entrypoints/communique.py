"""The meeting's outcome over HTTP: the published final communiqué for everyone (JSON, a
page, a PDF in ar/en/fr), and the secretariat's API to draft, amend, adopt and publish it
(its pages are `communique_pages.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from pesnet.agenda.domain.commands import AdoptCommunique, DecideAmendment, PublishCommunique
from pesnet.agenda.domain.communique import Communique
from pesnet.agenda.entrypoints.dependencies import Dependencies, UnitOfWork
from pesnet.agenda.entrypoints.schemas import AmendmentDecisionIn, AmendmentIn, CommuniqueIn
from pesnet.agenda.service_layer import communique as outcome
from pesnet.agenda.service_layer.communique import MeetingCommunique
from pesnet.agenda.service_layer.rendering import Block
from pesnet.shared.credentials import StaffRole
from pesnet.shared.http import require
from pesnet.shared.i18n import (
    Language,
    direction,
    format_local_date,
    format_local_time,
    list_separator,
)
from pesnet.shared.problems import request_language
from pesnet.shared.reference import member_states
from pesnet.shared.translation import N_, translate
from pesnet.shared.web import Pages

router = APIRouter()
Administrator = require(StaffRole.administrator)
PACKAGE = "pesnet.agenda"
pages = Pages(PACKAGE)

KINDS = {"decision": N_("Decision"), "recommendation": N_("Recommendation")}
ILLUSTRATIVE = N_(
    "Illustrative text: the concept note does not give the communiqué's wording; "
    "the platform shows an example."
)


def say(message: str, language: str, **params: Any) -> str:
    return translate(message, language, params, packages=(PACKAGE,))


@dataclass(frozen=True)
class ParagraphView:
    number: int
    kind: str
    text: str
    illustrative: bool


@dataclass(frozen=True)
class CommuniqueView:
    """The communiqué as a reader of `language` reads it."""

    title: str
    heading: str
    place: str
    adopted: str
    paragraphs: list[ParagraphView]
    illustrative_note: str | None


def communique_view(found: MeetingCommunique, language: str) -> CommuniqueView:
    meeting, communique = found.meeting, found.communique
    place = list_separator(language).join(
        part
        for part in (
            meeting.city.get(language) if meeting.city else "",
            member_states()[meeting.country].name.get(language)
            if meeting.country in member_states()
            else "",
            format_local_date(meeting.start_date, language, "long") if meeting.start_date else "",
        )
        if part
    )
    adopted = ""
    if communique.adopted_at is not None:
        adopted = say(
            N_("Adopted on {date} at {time}."),
            language,
            date=format_local_date(
                communique.adopted_at.astimezone(meeting.zone).date(), language, "long"
            ),
            time=format_local_time(communique.adopted_at, meeting.timezone, language),
        )
    return CommuniqueView(
        title=say(N_("Final communiqué"), language),
        heading=meeting.title.get(language),
        place=place,
        adopted=adopted,
        paragraphs=[
            ParagraphView(
                number=p.number,
                kind=say(KINDS[p.kind], language),
                text=p.text.get(language),
                illustrative=p.illustrative,
            )
            for p in communique.numbered()
        ],
        illustrative_note=say(ILLUSTRATIVE, language) if communique.illustrative else None,
    )


def communique_json(communique: Communique, language: str | None) -> dict[str, Any]:
    doc = communique.model_dump(mode="json", exclude={"paragraphs"})
    doc["illustrative"] = communique.illustrative
    doc["paragraphs"] = [
        {
            **p.model_dump(mode="json"),
            **({"label": p.text.get(language)} if language else {}),
        }
        for p in communique.numbered()
    ]
    return doc


def document_blocks(view: CommuniqueView) -> list[Block]:
    blocks = [
        Block(view.heading, "title"),
        Block(view.title, "heading"),
        Block(view.place, "note"),
    ]
    for p in view.paragraphs:
        blocks.append(Block(f"{p.kind}{' *' if p.illustrative else ''}", "note", p.number))
        blocks.append(Block(p.text))
    blocks.append(Block(view.adopted, "note"))
    if view.illustrative_note:
        blocks.append(Block(f"* {view.illustrative_note}", "note"))
    return blocks


CommuniqueFormat = Literal["json", "html", "pdf"]


@router.get("/meetings/{meeting_id}/communique", tags=["outcome"])
async def get_communique(
    meeting_id: str,
    uow: UnitOfWork,
    deps: Dependencies,
    request: Request,
    lang: Language | None = None,
    format: CommuniqueFormat = "json",
) -> Response:
    """The meeting's final communiqué once published: its numbered decisions and
    recommendations, as JSON (the three languages), a page or a PDF in the language of
    `?lang=`, else of `Accept-Language` (Arabic right-to-left)."""
    found = await outcome.communique(meeting_id, uow, published_only=True)
    language = request_language(request).value
    if format == "html":
        view = communique_view(found, language)
        pdf_query = urlencode({"lang": language, "format": "pdf"})
        context = {"view": view, "meeting": found.meeting, "pdf_query": pdf_query}
        return pages.render(request, "communique.html", context)
    if format == "pdf":
        view = communique_view(found, language)
        pdf = deps.documents.pdf(
            document_blocks(view), rtl=direction(language) == "rtl", title=view.title
        )
        name = f"{meeting_id}-communique-{language}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'inline; filename="{name}"',
                "content-language": language,
            },
        )
    asked = lang.value if lang else None
    return JSONResponse(communique_json(found.communique, asked))


@router.get(
    "/meetings/{meeting_id}/communique/draft", dependencies=[Administrator], tags=["outcome"]
)
async def get_communique_draft(meeting_id: str, uow: UnitOfWork) -> dict[str, Any]:
    """The communiqué as it stands (draft, adopted or published), with its amendments."""
    return communique_json((await outcome.communique_draft(meeting_id, uow)).communique, None)


@router.put("/meetings/{meeting_id}/communique", dependencies=[Administrator], tags=["outcome"])
async def draft_communique(
    meeting_id: str, body: CommuniqueIn, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    """Draft (or redraft) the communiqué: its paragraphs in order, each a decision or a
    recommendation in ar/en/fr (emits `CommuniqueDrafted`)."""
    found = await outcome.draft_communique(body.command(meeting_id), uow, clock=deps.clock)
    return communique_json(found.communique, None)


@router.post(
    "/meetings/{meeting_id}/communique/amendments",
    status_code=201,
    dependencies=[Administrator],
    tags=["outcome"],
)
async def propose_amendment(
    meeting_id: str, body: AmendmentIn, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    """Record a delegation's amendment, proposed in the closing session."""
    amendment = await outcome.propose_amendment(body.command(meeting_id), uow, clock=deps.clock)
    return amendment.model_dump(mode="json")


@router.post(
    "/meetings/{meeting_id}/communique/amendments/{amendment_id}/decision",
    dependencies=[Administrator],
    tags=["outcome"],
)
async def decide_amendment(
    meeting_id: str,
    amendment_id: Annotated[str, Path(max_length=20)],
    body: AmendmentDecisionIn,
    uow: UnitOfWork,
    deps: Dependencies,
) -> dict[str, Any]:
    """Accept (the paragraph reads as proposed) or reject an amendment."""
    command = DecideAmendment(meeting_id, amendment_id, body.accepted)
    found = await outcome.decide_amendment(command, uow, clock=deps.clock)
    return communique_json(found.communique, None)


@router.post(
    "/meetings/{meeting_id}/communique/adoption", dependencies=[Administrator], tags=["outcome"]
)
async def adopt_communique(meeting_id: str, uow: UnitOfWork, deps: Dependencies) -> dict[str, Any]:
    """The meeting adopts the communiqué now (no amendment may be pending)."""
    command = AdoptCommunique(meeting_id)
    found = await outcome.adopt_communique(command, uow, clock=deps.clock)
    return communique_json(found.communique, None)


@router.post(
    "/meetings/{meeting_id}/communique/publication",
    dependencies=[Administrator],
    tags=["outcome"],
)
async def publish_communique(
    meeting_id: str, uow: UnitOfWork, deps: Dependencies
) -> dict[str, Any]:
    """Publish the adopted communiqué (emits the public `CommuniquePublished`)."""
    command = PublishCommunique(meeting_id)
    found = await outcome.publish_communique(command, uow, clock=deps.clock)
    return communique_json(found.communique, None)
