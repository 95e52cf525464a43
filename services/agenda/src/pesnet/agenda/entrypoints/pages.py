"""The secretariat's pages for meetings (staff signed in with their identity account,
the `pesnet_session` cookie): the list of meetings with their state, one meeting's page
to complete it, move it along its lifecycle and, from a held meeting's closing session,
decide the next one. A posted form becomes the same command as the JSON API and goes to
the same use case; a refusal is shown next to its field in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pesnet.agenda.domain.commands import DecideNextMeeting, ReviseMeeting
from pesnet.agenda.domain.meeting import TRANSITIONS, Meeting
from pesnet.agenda.entrypoints.dependencies import Dependencies, get_dependencies
from pesnet.agenda.service_layer import meetings
from pesnet.shared.audit import AuditEntry
from pesnet.shared.credentials import StaffRole
from pesnet.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from pesnet.shared.forms import check_csrf, read_form
from pesnet.shared.http import CurrentActor, get_runtime
from pesnet.shared.i18n import LANGUAGES, Localized, format_local_date
from pesnet.shared.problems import request_language
from pesnet.shared.reference import member_states
from pesnet.shared.staff_pages import AuditNames, MeetingChoice, StaffPages
from pesnet.shared.terms import MEETING_STATUSES
from pesnet.shared.translation import N_

PACKAGE = "pesnet.agenda"
staff = StaffPages(
    PACKAGE, secure_cookies=lambda r: not get_runtime(r).settings.dev_mode, home="/staff/meetings"
)
# agenda's own sign-in page (the kernel's), where its staff pages send the signed-out
sign_in = staff.sign_in
router = APIRouter(include_in_schema=False)
LOCALIZED_FIELDS = ("city", "venue")
DATE_FIELDS = ("start_date", "end_date")
WINDOW_FIELDS = ("registration_opens_at", "registration_closes_at")
INSTITUTION_FIELDS = ("host_institution", "chair_institution")


async def meeting_choices(deps: Dependencies, language: str) -> list[MeetingChoice]:
    """Every meeting, newest first, for the picker."""
    found = await meetings.list_meetings(deps.unit_of_work())
    found.sort(key=lambda m: m.number, reverse=True)
    return [MeetingChoice(m.id, m.title.get(language)) for m in found]


def _day(value: date | None, language: str) -> str:
    return format_local_date(value, language, "long") if value else ""


@router.get("/staff/meetings")
async def meetings_page(request: Request, actor: CurrentActor, deps: Dependencies) -> Response:
    """Every meeting with its state and dates (the administrator)."""
    refusal = staff.refusal(request, actor, StaffRole.administrator)
    if refusal is not None:
        return refusal
    language = request_language(request).value
    found = sorted(
        await meetings.list_meetings(deps.unit_of_work()), key=lambda m: m.number, reverse=True
    )
    rows = [
        {
            "meeting": m,
            "title": m.title.get(language),
            "status": MEETING_STATUSES[m.status].get(language),
            "dates": " – ".join(
                d for d in (_day(m.start_date, language), _day(m.end_date, language)) if d
            )
            or m.tentative_month
            or "",
            "city": m.city.get(language) if m.city else "",
        }
        for m in found
    ]
    choices = [MeetingChoice(m.id, m.title.get(language)) for m in found]
    return staff.render(request, "staff_meetings.html", {"rows": rows}, meetings=choices)


async def _meeting_page(
    request: Request,
    deps: Dependencies,
    meeting_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    language = request_language(request).value
    uow = deps.unit_of_work()
    try:
        found = await meetings.get_meeting(meeting_id, uow)
    except DomainError as exc:
        return staff.render(
            request, "staff_refused.html", {"message": staff.say(request, exc.message, exc.params)},
            status_code=404,
        )  # fmt: skip
    meeting = found.meeting
    institutions = await deps.unit_of_work().institutions.all()
    states = sorted(member_states().items(), key=lambda item: item[1].name.get(language))
    return staff.render(
        request,
        "staff_meeting.html",
        {
            "meeting": meeting,
            "title": meeting.title.get(language),
            "status": MEETING_STATUSES[meeting.status].get(language),
            "transitions": [
                (s, MEETING_STATUSES[s].get(language))
                for s in sorted(TRANSITIONS[meeting.status], key=_order)
            ],
            "values": {**form_values(meeting), **(values or {})},
            "errors": errors or {},
            "notice": notice,
            "countries": [(iso3, s.name.get(language)) for iso3, s in states],
            # the reference's institutions, and those the meeting names itself
            "institutions": sorted(
                {
                    **{i.id: i.label(language) for i in meeting.institutions.values()},
                    **{i.id: i.label(language) for i in institutions},
                }.items(),
                key=lambda item: item[1],
            ),
        },
        status_code=status_code,
        meetings=await meeting_choices(deps, language),
        meeting=meeting.id,
    )


def _order(status: str) -> int:
    return list(MEETING_STATUSES).index(status)  # type: ignore[arg-type]


def form_values(meeting: Meeting) -> dict[str, str]:
    """The meeting as its form shows it (times in the meeting's own zone)."""
    values: dict[str, str] = {
        "country": meeting.country or "",
        "timezone": meeting.timezone,
        "host_institution": meeting.host_institution or "",
        "chair_institution": meeting.chair_institution or "",
        "delegation_quota": str(meeting.delegation_quota or ""),
    }
    for name in DATE_FIELDS:
        value = getattr(meeting, name)
        values[name] = value.isoformat() if value else ""
    for name in LOCALIZED_FIELDS:
        text: Localized | None = getattr(meeting, name)
        for lang in LANGUAGES:
            values[f"{name}_{lang.value}"] = text.get(lang) if text else ""
    for name in WINDOW_FIELDS:
        moment: datetime | None = getattr(meeting, name)
        values[name] = moment.astimezone(meeting.zone).strftime("%Y-%m-%dT%H:%M") if moment else ""
    return values


def form_changes(form: dict[str, str], meeting: Meeting) -> dict[str, Any]:
    """The changes a posted meeting form asks for (only the fields it has, only what
    differs), or InvalidInput naming the field that cannot be read."""
    changes: dict[str, Any] = {}
    for name in DATE_FIELDS:
        if name in form:
            changes[name] = _date(form[name], name)
    for name in LOCALIZED_FIELDS:
        texts = {lang.value: form.get(f"{name}_{lang.value}", "") for lang in LANGUAGES}
        if any(f"{name}_{lang.value}" in form for lang in LANGUAGES):
            changes[name] = Localized(**texts) if any(texts.values()) else None
    zone_name = form.get("timezone") or meeting.timezone
    if "timezone" in form:
        changes["timezone"] = zone_name
    for name in ("country", *INSTITUTION_FIELDS):
        if name in form:
            changes[name] = form[name] or None
    if "delegation_quota" in form:
        quota = form["delegation_quota"]
        if quota and (not quota.isdigit() or not 1 <= int(quota) <= 1000):
            raise InvalidInput(
                N_("a quota is a whole number from 1 to 1000"), field="delegation_quota"
            )
        changes["delegation_quota"] = int(quota) if quota else None
    for name in WINDOW_FIELDS:
        if name in form:
            changes[name] = _moment(form[name], name, zone_name)
    return {k: v for k, v in changes.items() if getattr(meeting, k) != v}


def _date(raw: str, name: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput(N_("write a date as YYYY-MM-DD"), field=name) from None


def _moment(raw: str, name: str, zone_name: str) -> datetime | None:
    """A `datetime-local` value, read in the meeting's zone."""
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(zone_name)) if raw else None
    except (ValueError, KeyError):
        raise InvalidInput(N_("write a time as YYYY-MM-DDTHH:MM"), field=name) from None


@router.get("/staff/meetings/{meeting_id}")
async def meeting_page(
    request: Request, meeting_id: str, actor: CurrentActor, deps: Dependencies
) -> Response:
    """One meeting: complete it, move it along its lifecycle, decide the next one."""
    refusal = staff.refusal(request, actor, StaffRole.administrator)
    if refusal is not None:
        return refusal
    return await _meeting_page(request, deps, meeting_id)


@router.post("/staff/meetings/{meeting_id}")
async def meeting_post(
    request: Request, meeting_id: str, actor: CurrentActor, deps: Dependencies
) -> Response:
    """`action=save` completes or corrects the meeting; `action=status` with `status`
    moves it; `action=next` decides the next meeting (`tentative_month`)."""
    refusal = staff.refusal(request, actor, StaffRole.administrator)
    if refusal is not None:
        return refusal
    form = await read_form(request)
    language = request_language(request).value
    values: dict[str, str] = {}
    try:
        check_csrf(request, form)
        action = form.get("action", "save")
        if action == "next":
            values = {"tentative_month": form.get("tentative_month", "")}
            decided = await meetings.decide_next_meeting(
                DecideNextMeeting(meeting_id, form.get("tentative_month", "").strip()),
                deps.unit_of_work(),
                clock=deps.clock,
            )
            return RedirectResponse(
                f"/staff/meetings/{decided.id}?lang={language}&meeting={decided.id}",
                status_code=303,
            )
        if action == "status":
            command = ReviseMeeting(meeting_id, status=form.get("status"))  # type: ignore[arg-type]
        else:
            values = {k: v for k, v in form.items() if k not in ("csrf", "action")}
            current = (await meetings.get_meeting(meeting_id, deps.unit_of_work())).meeting
            command = ReviseMeeting(meeting_id, form_changes(form, current))
        await meetings.revise_meeting(
            command, deps.unit_of_work(), calendar=deps.renderer, clock=deps.clock
        )
    except DomainError as exc:
        field = exc.field or "form"
        if field not in values and field not in form_fields():
            field = "form"
        return await _meeting_page(
            request, deps, meeting_id, values=values,
            errors={field: staff.say(request, exc.message, exc.params)}, status_code=_status(exc),
        )  # fmt: skip
    return await _meeting_page(request, deps, meeting_id, notice=staff.say(request, N_("Saved.")))


def form_fields() -> set[str]:
    fields = {"status", "tentative_month", "country", "timezone", *INSTITUTION_FIELDS}
    fields |= {"delegation_quota", *DATE_FIELDS, *WINDOW_FIELDS}
    fields |= {f"{n}_{lang.value}" for n in LOCALIZED_FIELDS for lang in LANGUAGES}
    fields |= set(LOCALIZED_FIELDS)
    return fields


def _status(exc: DomainError) -> int:
    return 409 if isinstance(exc, Conflict) else 404 if isinstance(exc, NotFound) else 422


# how the audit page names what a rescheduling changed
FIELD_NAMES = {
    "start_date": N_("First day"),
    "end_date": N_("Last day"),
    "venue": N_("Venue"),
    "city": N_("City"),
    "timezone": N_("Time zone"),
}


PURGED_PERSON = N_("a person of the programme (purged)")


def audit_names(request: Request) -> AuditNames:
    """A `meeting.rescheduled` entry says what changed from what to what (the meeting
    keeps each of its reschedulings; the entry's is the last one made before it); an
    entry about a person of the programme names them while the meeting's personal data
    exists, and says "purged" after (never the old id, which may be their surname)."""
    deps = get_dependencies(request)
    language = request_language(request).value

    async def subject(entry: AuditEntry) -> str | None:
        if not entry.meeting_id:
            return None
        if entry.action.startswith("person.") and entry.subject:
            meeting = await deps.unit_of_work().meetings.get(entry.meeting_id)
            person = meeting.people.get(entry.subject.removeprefix("person/")) if meeting else None
            if meeting is None or meeting.personal_data_purged_at or person is None:
                return staff.say(request, PURGED_PERSON)
            return person.label(language)
        if entry.action != "meeting.rescheduled":
            return None
        meeting = await deps.unit_of_work().meetings.get(entry.meeting_id)
        if meeting is None or not meeting.reschedulings:
            return None
        written = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        before = [r for r in meeting.reschedulings if r.at <= written + timedelta(seconds=5)]
        found = before[-1] if before else meeting.reschedulings[0]
        return "; ".join(
            staff.say(
                request,
                N_("{field}: {was} → {now}"),
                {
                    "field": staff.say(request, FIELD_NAMES.get(c.field, c.field)),
                    "was": c.was.get(language),
                    "now": c.now.get(language),
                },
            )
            for c in found.changes
        )

    return AuditNames(subject)
