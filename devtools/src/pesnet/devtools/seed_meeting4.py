"""Demo step of `make run`: publish the held 4th meeting's programme as history, then
make the demonstration meeting `pesnet-demo` ready to try — its programme people
registered as confirmed participants and its programme version 1 published, through
the public HTTP APIs only.

The agenda's `/dev/seed` has created `pesnet-4` (held: it takes no registration) and
`pesnet-demo` (open for registration, a few weeks ahead), their drafts and people (with
demo addresses `<person-id>@example.org`); registration's has loaded the reference of
institutions. This registers each person in pesnet-demo (naming their institution by
its id where the reference has it), confirms them, waits until the agenda's projection
of registration events knows them confirmed (a speaker must be confirmed before a
release), and publishes version 1.
Waiting is on progress: it gives up only when nothing moved for `stall` seconds (a
slow machine that is getting there is not a failure). Running it again changes
nothing: a 409 for a registration that exists is expected, and its id is found
through the agenda.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from typing import Any

import httpx

MEETING_ID = "pesnet-demo"
HELD_MEETING_ID = "pesnet-4"

# Latin given/family names as a badge prints them (the programme has full names only).
NAMES: dict[str, tuple[str, str]] = {
    "sekkouri": ("Younes", "Sekkouri"),
    "dur": ("Varol", "Dur"),
    "selcuk": ("Zehra Zümrüt", "Selçuk"),
    "belmaati": ("Imane", "Belmaati"),
    "demirtas": ("Esma", "Demirtaş"),
    "erol": ("Eser", "Erol"),
    "marouane": ("Rachid", "Marouane"),
    "assri": ("Wafae", "Assri"),
    "zanati-serghini": ("Hicham", "Zanati Serghini"),
    "sbibi": ("Mohamed Amine", "Sbibi"),
    "souhail": ("Hicham", "Souhail"),
    "el-kasbaoui": ("Hicham", "El Kasbaoui"),
    "el-harrane": ("Rajae", "El Harrane"),
    "jai-kumar": ("Omar Jai Kumar", "bin Abdullah"),
    "abboudou": ("Mohamed Amine", "Abboudou"),
}

# The language each person gets their mail in: Arabic for the Moroccan officials,
# English for the Turkish and Malaysian participants, French for the expert of
# Expertise France.
LANGUAGES: dict[str, str] = {
    "sekkouri": "ar",
    "belmaati": "ar",
    "marouane": "ar",
    "assri": "ar",
    "zanati-serghini": "ar",
    "sbibi": "ar",
    "souhail": "ar",
    "el-kasbaoui": "ar",
    "el-harrane": "ar",
    "dur": "en",
    "selcuk": "en",
    "demirtas": "en",
    "erol": "en",
    "jai-kumar": "en",
    "abboudou": "fr",
}

CONFIRMED = {"confirmed", "checked_in"}


class SeedError(RuntimeError):
    pass


class Progress:
    """A deadline that moves while there is progress: `moved(state)` with a new state
    pushes it `stall` seconds ahead; `stalled()` says it has passed."""

    def __init__(self, stall: float) -> None:
        self.stall = stall
        self.deadline = time.monotonic() + stall
        self.state: object = None

    def moved(self, state: object) -> None:
        if state != self.state:
            self.state = state
            self.deadline = time.monotonic() + self.stall

    def stalled(self) -> bool:
        return time.monotonic() > self.deadline


async def seed_meeting4(
    registration: httpx.AsyncClient,
    agenda: httpx.AsyncClient,
    token: str,
    *,
    stall: float = 30.0,
) -> None:
    """The 4th meeting's programme as history, and pesnet-demo ready to try."""
    auth = {"Authorization": f"Bearer {token}"}
    response = await agenda.post("/dev/seed/history", headers=auth)
    if response.status_code != 200:
        raise SeedError(f"publishing {HELD_MEETING_ID}'s programme: {response.text}")
    deadline = Progress(stall)

    meeting = await _get_json(agenda, f"/meetings/{MEETING_ID}", auth)
    draft = await _get_json(agenda, f"/meetings/{MEETING_ID}/draft", auth)
    bodies = registrations_for(meeting, draft, reference=await _reference(registration))
    ids, known = await _register_everyone(registration, agenda, auth, bodies, deadline)
    await _confirm_everyone(registration, auth, bodies, ids, known)
    await _wait_for(
        agenda,
        auth,
        deadline,
        lambda p: all(p.get(e, {}).get("status") in CONFIRMED for e in bodies),
        "confirmed",
    )
    if meeting.get("programme_version") is None:
        response = await agenda.post(f"/meetings/{MEETING_ID}/programme/releases", headers=auth)
        # 409: identical to the last version (a concurrent run published it)
        if response.status_code not in (201, 409):
            raise SeedError(f"publishing the programme: {response.status_code} {response.text}")


async def _register_everyone(
    registration: httpx.AsyncClient,
    agenda: httpx.AsyncClient,
    auth: dict[str, str],
    bodies: dict[str, dict[str, Any]],
    deadline: Progress,
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Registers every programme person: e-mail → registration id, and what the agenda
    knows of them (registrations that already existed, 409, take their ids from there)."""
    ids: dict[str, str] = {}
    for email, body in bodies.items():
        registration_id = await _register(registration, body, auth, deadline)
        if registration_id:
            ids[email] = registration_id
    known = await _wait_for(
        agenda, auth, deadline, lambda p: all(e in p or e in ids for e in bodies), "registered"
    )
    for email in bodies:
        if email not in ids:
            ids[email] = known[email]["registration_id"]
    return ids, known


async def _confirm_everyone(
    registration: httpx.AsyncClient,
    auth: dict[str, str],
    bodies: dict[str, dict[str, Any]],
    ids: dict[str, str],
    known: dict[str, dict[str, Any]],
) -> None:
    """Confirms every programme person not confirmed yet; a waitlisted one fails the seed
    now rather than wait: a waitlisted speaker never becomes confirmed by itself."""
    waitlisted: list[str] = []
    for email, registration_id in ids.items():
        if known.get(email, {}).get("status") in CONFIRMED:
            continue
        response = await registration.post(
            f"/registrations/{registration_id}/confirm", headers=auth
        )
        if response.status_code not in (200, 201, 409):
            raise SeedError(
                f"confirming {email} ({registration_id}): {response.status_code} {response.text}"
            )
        if response.status_code != 409 and response.json().get("status") == "waitlisted":
            waitlisted.append(f"{email} ({bodies[email].get('country', 'no country')})")
    if waitlisted:
        raise SeedError(
            "registration waitlisted programme people instead of confirming them (delegation "
            f"quota): {', '.join(waitlisted)}; a speaker or moderator must be a confirmed "
            "participant before the programme can be released"
        )


def registrations_for(
    meeting: dict[str, Any], draft: dict[str, Any], *, reference: Collection[str] = ()
) -> dict[str, dict[str, Any]]:
    """e-mail → the registration body of each person with a role in the programme. A
    person whose institution is in registration's `reference` (its ids) names it by id:
    registration keeps its name in the person's language (their mails say it), and the
    action plan shows it by name; another one is named in free text."""
    roles: dict[str, str] = {}
    for session in draft["sessions"]:
        for person in session["moderators"]:
            roles.setdefault(person, "moderator")
        for person in session["speakers"]:
            roles.setdefault(person, "speaker")
    institutions = meeting["institutions"]
    # People of the OIC secretariat (SESRIC) or of a partner without a member state
    # (Expertise France) belong to no national delegation: registration takes them
    # without a country (they then count against no delegation's quota).
    secretariat = {o["institution"] for o in meeting["organisers"] if o["role"] == "secretariat"}
    bodies: dict[str, dict[str, Any]] = {}
    for person_id, person in meeting["people"].items():
        if person_id not in roles:
            continue
        institution = institutions.get(person.get("institution") or "", {})
        given, family = NAMES.get(person_id) or _split(person["name"]["en"])
        language = LANGUAGES.get(person_id, "en")
        latin = None
        arabic = (person["name"].get("ar") or "").strip()
        if language == "ar" and arabic:
            # who reads Arabic is greeted by their Arabic name; the Latin one stays
            # for the badge
            latin = f"{given} {family}"
            given, family = _split(arabic)
        email = f"{person_id}@example.org"
        position = person.get("position") or {}
        body: dict[str, Any] = {
            "given_name": given,
            "family_name": family,
            "email": email,
            "position": position.get("en") or "Participant",
            "role": roles[person_id],
            "language": language,
        }
        if person.get("institution") in reference:
            body["institution_id"] = person["institution"]
        else:
            body["institution"] = (institution.get("name") or {}).get("en") or person_id
        if latin:
            body["name_latin"] = latin
        country = institution.get("country")
        if country and person.get("institution") not in secretariat:
            body["country"] = country
        bodies[email] = body
    return bodies


async def _reference(registration: httpx.AsyncClient) -> set[str]:
    """The ids of registration's reference of institutions (none where the service
    has no reference)."""
    response = await registration.get("/institutions")
    if response.status_code != 200:
        return set()
    return {item["id"] for item in response.json()["institutions"]}


def _split(full_name: str) -> tuple[str, str]:
    given, _, family = full_name.rpartition(" ")
    return (given or full_name), (family or full_name)


async def _get_json(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
    response = await client.get(path, headers=headers)
    if response.status_code != 200:
        raise SeedError(f"GET {path}: {response.status_code} {response.text}")
    return response.json()


async def _register(
    registration: httpx.AsyncClient,
    body: dict[str, Any],
    auth: dict[str, str],
    deadline: Progress,
) -> str | None:
    """The new registration's id, or None if it exists already (409). The secretariat
    registers them: speakers and moderators take their places from the programme."""
    path = f"/meetings/{MEETING_ID}/registrations"
    while True:
        response = await registration.post(path, json=body, headers=auth)
        if response.status_code == 201:
            registration_id: str = response.json()["id"]
            deadline.moved(registration_id)
            return registration_id
        if response.status_code == 409:
            return None
        # 404: the registration service has not yet heard agenda.meeting.scheduled
        if response.status_code == 404 and not deadline.stalled():
            await asyncio.sleep(0.5)
            continue
        raise SeedError(f"registering {body['email']}: {response.status_code} {response.text}")


async def _wait_for(
    agenda: httpx.AsyncClient,
    auth: dict[str, str],
    deadline: Progress,
    done: Callable[[dict[str, dict[str, Any]]], bool],
    what: str,
) -> dict[str, dict[str, Any]]:
    """Poll the agenda's projection of registrations until `done(by_email)`."""
    while True:
        participants = await _get_json(agenda, f"/meetings/{MEETING_ID}/participants", auth)
        by_email = {p["email"]: p for p in participants}
        if done(by_email):
            return by_email
        deadline.moved(sorted((e, p["status"]) for e, p in by_email.items()))
        if deadline.stalled():
            statuses = {e: p["status"] for e, p in by_email.items() if p["status"] not in CONFIRMED}
            raise SeedError(
                f"the agenda's knowledge of the programme people stopped moving for "
                f"{deadline.stall:.0f}s before all were {what}; "
                f"not confirmed: {statuses or 'none known'}"
            )
        await asyncio.sleep(0.3)
