"""The secretariat's page of a meeting's final communiqué (`/staff/meetings/{id}/communique`):
draft the numbered paragraphs in ar/en/fr, record each delegation's amendment and the
closing session's decision on it, adopt, publish. Thin like the API: each posted form
becomes the same command for the same use case; a refusal is shown at its field in the
reader's language. Every form carries the CSRF token of its page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.agenda.domain.commands import (
    AdoptCommunique,
    DecideAmendment,
    DraftCommunique,
    ProposeAmendment,
    PublishCommunique,
)
from pesnet.agenda.domain.communique import Paragraph
from pesnet.agenda.entrypoints.communique import KINDS, PACKAGE, pages, say
from pesnet.agenda.entrypoints.dependencies import Dependencies, UnitOfWork
from pesnet.agenda.service_layer import communique as outcome
from pesnet.shared.credentials import Actor, StaffRole
from pesnet.shared.errors import DomainError, InvalidInput, NotFound
from pesnet.shared.forms import CsrfRefused, check_csrf, csrf_token, read_form, set_csrf_cookie
from pesnet.shared.http import CurrentActor
from pesnet.shared.i18n import Localized
from pesnet.shared.problems import request_language
from pesnet.shared.reference import member_states
from pesnet.shared.translation import N_, _, translate

router = APIRouter(include_in_schema=False)
STATUSES = {"draft": N_("Draft"), "adopted": N_("Adopted"), "published": N_("Published")}
AMENDMENT_STATUSES = {
    "proposed": N_("Proposed"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
}
MAX_PARAGRAPHS = 200
# what the page says after each action (`?done=`)
DONE = {
    "draft": N_("The draft is saved."),
    "propose": N_("The amendment is recorded."),
    "accept": N_("The amendment is accepted."),
    "reject": N_("The amendment is rejected."),
    "adopt": N_("The communiqué is adopted."),
    "publish": N_("The communiqué is published."),
}


def _page(
    request: Request,
    found: outcome.MeetingCommunique,
    *,
    error: DomainError | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    token = csrf_token(request)
    states = sorted(
        ((iso3, s.name.get(language)) for iso3, s in member_states().items()),
        key=lambda item: item[1],
    )
    context: dict[str, Any] = {
        "meeting": found.meeting,
        "communique": found.communique,
        "numbered": found.communique.numbered(),
        "kinds": {k: say(v, language) for k, v in KINDS.items()},
        "status": say(STATUSES[found.communique.status], language),
        "amendment_status": {k: say(v, language) for k, v in AMENDMENT_STATUSES.items()},
        "states": states,
        "state_name": dict(states),
        "csrf": token,
        "lang_query": f"lang={language}",
        "error": translate(error.message, language, error.params, packages=(PACKAGE,))
        if error
        else None,
        "error_field": error.field if error else None,
        "notice": notice,
    }
    response = pages.render(
        request,
        "staff_communique.html",
        context,
        status_code=status_code,
        headers={"cache-control": "no-store"},
    )
    return set_csrf_cookie(response, token, secure=request.url.scheme == "https")


def _refusal(request: Request, actor: Actor) -> Response | None:
    """401 signed out, 403 without the administrator's right."""
    if actor.is_anonymous or not actor.has(StaffRole.administrator):
        language = request_language(request).value
        message = (
            N_("Sign in as the secretariat first (the console's sign-in page).")
            if actor.is_anonymous
            else N_("Your account may not use this page: sign in with another one.")
        )
        return pages.render(
            request,
            "staff_refused.html",
            {"message": say(message, language)},
            status_code=401 if actor.is_anonymous else 403,
        )
    return None


@router.get("/staff/meetings/{meeting_id}/communique")
async def communique_page(
    meeting_id: str, request: Request, actor: CurrentActor, uow: UnitOfWork
) -> Response:
    refusal = _refusal(request, actor)
    if refusal is not None:
        return refusal
    done = DONE.get(request.query_params.get("done", ""))
    notice = say(done, request_language(request).value) if done else None
    return _page(request, await outcome.communique_draft(meeting_id, uow), notice=notice)


def _text(form: dict[str, str], prefix: str) -> Localized:
    return Localized(**{lang: form.get(f"{prefix}{lang}") or None for lang in ("ar", "en", "fr")})


def _paragraphs(form: dict[str, str]) -> tuple[Paragraph, ...]:
    """The editor's rows in order; a row left empty (the new one) is no paragraph."""
    paragraphs: list[Paragraph] = []
    for n in range(MAX_PARAGRAPHS):
        if f"kind-{n}" not in form:
            break
        text = _text(form, f"text-{n}-")
        if not any((text.ar, text.en, text.fr)):
            continue
        kind = form[f"kind-{n}"]
        if kind not in KINDS:
            raise InvalidInput(_("choose a decision or a recommendation"), field=f"kind-{n}")
        paragraphs.append(
            Paragraph(
                id=form.get(f"id-{n}") or f"p{n + 1}",
                kind=kind,
                text=text,
                illustrative=form.get(f"illustrative-{n}") == "yes",
            )
        )
    return tuple(paragraphs)


async def _act(meeting_id: str, form: dict[str, str], uow: UnitOfWork, deps: Dependencies) -> None:
    """Run the form's action."""
    action = form.get("action", "")
    clock = deps.clock
    if action == "draft":
        await outcome.draft_communique(
            DraftCommunique(meeting_id, _paragraphs(form)), uow, clock=clock
        )
        return
    if action == "propose":
        kind = form.get("kind", "decision")
        command = ProposeAmendment(
            meeting_id,
            form.get("proposed_by", ""),
            _text(form, "text-"),
            paragraph_id=form.get("paragraph_id") or None,
            kind=kind if kind in KINDS else "decision",  # type: ignore[arg-type]
        )
        await outcome.propose_amendment(command, uow, clock=clock)
        return
    if action in ("accept", "reject"):
        decision = DecideAmendment(meeting_id, form.get("amendment_id", ""), action == "accept")
        await outcome.decide_amendment(decision, uow, clock=clock)
        return
    if action == "adopt":
        await outcome.adopt_communique(AdoptCommunique(meeting_id), uow, clock=clock)
        return
    if action == "publish":
        await outcome.publish_communique(PublishCommunique(meeting_id), uow, clock=clock)
        return
    raise InvalidInput(_("unknown action"), field="action")


@router.post("/staff/meetings/{meeting_id}/communique")
async def communique_submit(
    meeting_id: str,
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWork,
    deps: Dependencies,
) -> Response:
    refusal = _refusal(request, actor)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    language = request_language(request).value
    try:
        check_csrf(request, form)
        await _act(meeting_id, form, uow, deps)
    except NotFound:
        raise
    except DomainError as refused:
        found = await outcome.communique_draft(meeting_id, uow)
        code = 403 if isinstance(refused, CsrfRefused) else 422
        return _page(request, found, error=refused, status_code=code)
    return RedirectResponse(
        f"/staff/meetings/{meeting_id}/communique?lang={language}&done={form.get('action', '')}",
        status_code=303,
    )
