"""Cost and scale beyond the steady path, in one meeting of its own (`bench-scale`, a
quota of 1,000 per member state so that every registration can be confirmed):

- **catch-up**: notifications stopped, a burst of registrations (1,000) posted, then
  notifications started: the seconds from its start to the last mail, and the peak
  memory of every process while it drains (each process's peak is reset first);
- **fan-out**: those registrations confirmed, then a programme release: the seconds
  from the release to the last of its mails, as a rate against the registration
  mails' rate of L3 (`fan_out_ratio`); an announcement the same way once the platform
  has announcements (`ANNOUNCEMENT_PATH`: measured when the route answers);
- **pages at size**: the meeting brought to 2,000 registrations across the 57 member
  states (the second half copies of real ones written straight into registration's
  database: the pages read them the same way), then each page of `PAGES` requested
  20 times: its p95. A page whose route does not exist (yet) is named in
  `pages_missing` with the reason; adding a page is one line of `PAGES`.

The programme notices go out without a digest window here
(`NOTIFICATIONS_DIGEST_WINDOW_SECONDS=0` for the benchmark's platform): the window
would only add its own length to the fan-out."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.full_path import Registrations, percentile, registration
from benchmarks.mailsink import TimingSink
from benchmarks.platform import Platform, cpu_seconds, peak_memory_of
from pesnet.registration.domain.badges import new_short_code
from pesnet.registration.domain.search import name_keys
from pesnet.shared.mongo import make_client
from pesnet.shared.reference import member_states

MEETING = "bench-scale"
DEMO = "pesnet-demo"
# the announcement route (issue "announcements"): measured once it answers
ANNOUNCEMENT_PATH = f"/meetings/{MEETING}/announcements"
# (name, service, path, form): each page measured at size (GET, or POST of `form`); one
# that answers 404 is missing. The staff pages as a secretariat member sees them at
# 2,000 registrations: the console, the participants page and its exports, the desk's
# search by name (a name that matches 1,111 of them: Bench1, Bench10..., Bench1999),
# the check-ins, and the public programme.
PAGES: list[tuple[str, str, str, dict[str, str] | None]] = [
    ("console", "registration", f"/console?meeting={MEETING}", None),
    ("registrations_list", "registration", f"/meetings/{MEETING}/registrations", None),
    ("participants_page", "registration", f"/participants?meeting={MEETING}", None),
    ("participants_csv", "registration", f"/meetings/{MEETING}/participants.csv", None),
    ("participants_xlsx", "registration", f"/meetings/{MEETING}/participants.xlsx", None),
    ("desk", "registration", f"/desk?meeting={MEETING}", None),
    ("desk_search", "registration", "/desk", {"meeting": MEETING, "badge_token": "Bench1"}),
    ("check_in_list", "registration", f"/meetings/{MEETING}/check-ins", None),
    ("check_in_export_csv", "registration", f"/meetings/{MEETING}/check-ins?format=csv", None),
    ("programme_html", "agenda", f"/meetings/{DEMO}/programme?format=html&lang=ar", None),
    ("programme_json", "agenda", f"/meetings/{DEMO}/programme?format=json&lang=en", None),
]
# the badge sheet of 500 confirmed people: a meeting of its own (`Scale.badge_meeting`)
BADGES_MEETING = "bench-badges"
BADGES_PATH = f"/meetings/{BADGES_MEETING}/badges.pdf"


def meeting_body() -> dict[str, Any]:
    start = time.gmtime(time.time() + 60 * 86400)
    day = time.strftime("%Y-%m-%d", start)
    return {
        "id": MEETING,
        "number": 900,
        "title": {"ar": "اجتماع القياس", "en": "Scale meeting", "fr": "Réunion de mesure"},
        "timezone": "Africa/Casablanca",
        "start_date": day,
        "end_date": day,
        "registration_open": True,
        "delegation_quota": 1000,
        "capacity": 100000,
    }


def session_body() -> dict[str, Any]:
    return {
        "kind": "opening",
        "title": {"ar": "الافتتاح", "en": "Opening", "fr": "Ouverture"},
        "day": meeting_body()["start_date"],
        "start": "09:00",
        "end": "10:00",
    }


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.time() + within
    while time.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"scale: {what} not within {within:.0f}s")


class Scale:
    def __init__(
        self, plat: Platform, sink: TimingSink, mongo_url: str, db_pid: int | None = None
    ) -> None:
        self.plat, self.sink, self.mongo_url, self.db_pid = plat, sink, mongo_url, db_pid
        auth = {"Authorization": f"Bearer {plat.token}"}
        self.agenda = httpx.AsyncClient(base_url=plat.url("agenda"), timeout=600, headers=auth)
        self.reg = httpx.AsyncClient(base_url=plat.url("registration"), timeout=600, headers=auth)
        self.regs = Registrations(plat.url("registration"), sink, meeting=MEETING)

    async def close(self) -> None:
        for http in (self.agenda, self.reg):
            await http.aclose()
        await self.regs.close()

    async def open_meeting(self) -> None:
        (await self.agenda.post("/meetings", json=meeting_body())).raise_for_status()
        response = await self.agenda.post(f"/meetings/{MEETING}/sessions", json=session_body())
        response.raise_for_status()

        async def open_for_registration() -> bool:
            response = await self.reg.get(f"/meetings/{MEETING}/delegations")
            return response.status_code == 200

        await eventually(open_for_registration, 120, "the scale meeting open")

    async def catch_up(self, count: int, concurrency: int) -> dict[str, Any]:
        """Notifications stopped during a burst, then started: drain time and memory."""
        self.plat.stop_service("notifications")
        outcome = await self.regs.burst(count, concurrency)
        self.addresses = list(outcome.posted)
        self.ids = outcome.ids
        for pid in [*self.plat.pids().values(), self.db_pid or 0]:
            reset_peak_memory(pid)
        started = time.time()
        await self.plat.restart_service("notifications")
        healthy = time.time()
        await self.sink_wait(self.addresses, 1, within=900)
        last = max(self.sink.nth(a, 1) or 0.0 for a in self.addresses)
        memory = self.plat.peak_memory_mib()
        if self.db_pid and (db_peak := peak_memory_of(self.db_pid)) is not None:
            memory["database"] = db_peak
        return {
            "registrations": count,
            "accepted": len(self.addresses),
            "seconds_from_start": round(last - started, 1),
            "seconds_from_healthy": round(last - healthy, 1),
            "per_second": round(len(self.addresses) / max(0.001, last - healthy), 1),
            "peak_memory_mib": memory,
        }

    async def sink_wait(self, addresses: list[str], mails: int, within: float) -> None:
        async def all_there() -> bool:
            return all(self.sink.nth(a, mails) is not None for a in addresses)

        await eventually(all_there, within, f"mail {mails} to each of {len(addresses)}")

    async def confirm_all(self, concurrency: int) -> None:
        """Every confirmation of one meeting writes its confirmed total: concurrent ones
        conflict and retry, so a few clients confirm as fast as many (and never wait out
        a client's timeout on a loaded machine)."""
        concurrency = min(concurrency, 4)
        queue = iter(self.ids)

        async def client() -> None:
            for registration_id in queue:
                response = await self.reg.post(f"/registrations/{registration_id}/confirm")
                response.raise_for_status()

        await asyncio.gather(*(client() for _ in range(concurrency)))
        await self.sink_wait(self.addresses, 2, within=900)

    async def fan_out(self, rate: float, nth: int, send: Callable[[], Awaitable[int]]) -> Any:
        """`send()` starts the fan-out (its HTTP status); each address then gets its
        `nth` mail: the seconds to the last one, as a ratio of the registration mails'
        rate `rate`."""
        started = time.time()
        status = await send()
        if status in (404, 405):
            return None
        await self.sink_wait(self.addresses, nth, within=900)
        last = max(self.sink.nth(a, nth) or 0.0 for a in self.addresses)
        per_second = len(self.addresses) / max(0.001, last - started)
        return {
            "mails": len(self.addresses),
            "seconds": round(last - started, 1),
            "per_second": round(per_second, 1),
            "ratio_to_registration_mails": round(per_second / rate, 2),
        }

    async def release(self) -> int:
        response = await self.agenda.post(f"/meetings/{MEETING}/programme/releases", json={})
        response.raise_for_status()
        return response.status_code

    async def announce(self) -> int:
        body = {
            "title": {"ar": "إعلان", "en": "Announcement", "fr": "Annonce"},
            "body": {"ar": "نص الإعلان", "en": "The text.", "fr": "Le texte."},
            "audience": "all",
            "critical": False,
        }
        response = await self.reg.post(ANNOUNCEMENT_PATH, json=body)
        if response.status_code not in (404, 405):
            response.raise_for_status()
        return response.status_code

    async def grow(self, total: int) -> int:
        """Bring the meeting to `total` registrations across the member states: copies
        of its registrations, each with a new id, address and member state, written
        straight into registration's database (pending, as most of a real call is)."""
        client = make_client(self.mongo_url)
        try:
            collection = client["pesnet_registration"]["registrations"]
            have = await collection.count_documents({"meeting_id": MEETING})
            model = await collection.find_one({"meeting_id": MEETING})
            assert model is not None
            countries = sorted(member_states())
            docs = []
            for n in range(have, total):
                doc = copy.deepcopy(model)
                body = registration(n, "pages")
                doc.update(
                    _id=uuid.uuid4().hex,
                    email=body["email"],
                    email_key=body["email"],
                    given_name=body["given_name"],
                    name_keys=name_keys(body["given_name"], body["family_name"]),
                    country=countries[n % len(countries)],
                    status="registered",
                    # the meeting's codes are unique (a collision is drawn again, as
                    # registration does)
                    short_code=new_short_code(),
                    badge_nonce=uuid.uuid4().hex[:16],
                )
                docs.append(doc)
            if docs:
                await collection.insert_many(docs)
            return have + len(docs)
        finally:
            await client.close()

    async def pages(self, tries: int = 20) -> tuple[dict[str, float], dict[str, str]]:
        measured: dict[str, float] = {}
        missing: dict[str, str] = {}
        for name, service, path, form in PAGES:
            url = self.plat.url(service) + path

            async def request(url: str = url, form: dict[str, str] | None = form) -> Any:
                if form is None:
                    return await self.reg.get(url)
                return await self.reg.post(url, data=form)

            first = await request()
            if first.status_code == 404:
                missing[name] = "404: no such page on this branch yet"
                continue
            if first.status_code != 200:
                missing[name] = f"{first.status_code}: {first.text[:120]}"
                continue
            times = []
            for _ in range(tries):
                began = time.perf_counter()
                (await request()).raise_for_status()
                times.append((time.perf_counter() - began) * 1000)
            measured[name] = round(percentile(times, 95), 1)
        return measured, missing

    async def badge_meeting(self, people: int) -> int:
        """A meeting of `people` confirmed participants for the badge sheet (the scale
        meeting has 1,000): the scale meeting copied with `people` of its confirmed
        registrations, written straight into registration's database like `grow`."""
        client = make_client(self.mongo_url)
        try:
            db = client["pesnet_registration"]
            meeting = await db["meetings"].find_one({"_id": MEETING})
            assert meeting is not None
            meeting["_id"] = BADGES_MEETING
            await db["meetings"].replace_one({"_id": BADGES_MEETING}, meeting, upsert=True)
            docs = []
            cursor = db["registrations"].find({"meeting_id": MEETING, "status": "confirmed"})
            async for doc in cursor.limit(people):
                doc.update(_id=uuid.uuid4().hex, meeting_id=BADGES_MEETING)
                docs.append(doc)
            await db["registrations"].delete_many({"meeting_id": BADGES_MEETING})
            if docs:
                await db["registrations"].insert_many(docs)
            return len(docs)
        finally:
            await client.close()

    async def badges(self, people: int = 500) -> dict[str, Any] | None:
        try:
            confirmed = await self.badge_meeting(people)
        except Exception as exc:  # named in the results: the rest of the run stands
            return {"missing": f"the badge meeting could not be made: {exc!r}"[:200]}
        began = time.perf_counter()
        response = await self.reg.get(BADGES_PATH)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return {
            "people": confirmed,
            "seconds": round(time.perf_counter() - began, 2),
            "bytes": len(response.content),
        }


def reset_peak_memory(pid: int) -> None:
    """Start a process's peak resident memory (VmHWM) over from now (own processes)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


async def settled(pids: dict[str, int], within: float = 60.0, busy: float = 0.05) -> float:
    """Wait until no process of the platform used more than `busy` of a core over the
    last second (at most `within` seconds); how long that took."""
    started = time.time()
    while time.time() - started < within:
        before = {k: cpu_seconds(pid) or 0.0 for k, pid in pids.items()}
        await asyncio.sleep(1.0)
        if all((cpu_seconds(pid) or 0.0) - before[k] <= busy for k, pid in pids.items()):
            break
    return round(time.time() - started, 1)


async def measure(
    plat: Platform,
    sink: TimingSink,
    mongo_url: str,
    *,
    rate: float,
    count: int,
    concurrency: int,
    db_pid: int | None = None,
) -> dict[str, Any]:
    """Catch-up, fan-out and pages at size; `rate`: L3's registration mails per second."""
    scale = Scale(plat, sink, mongo_url, db_pid)
    found: dict[str, Any] = {}
    # where a bench run's time goes: the seconds of each step
    steps: dict[str, float] = {}
    found["step_seconds"] = steps
    clock = time.time()

    def done(step: str, next_step: str | None = None) -> None:
        nonlocal clock
        steps[step] = round(time.time() - clock, 1)
        clock = time.time()
        if next_step is not None:
            print(f"scale: {next_step} ...", flush=True)

    try:
        await scale.open_meeting()
        done("open_meeting", f"catch-up of {count} registrations")
        found["catch_up"] = await scale.catch_up(count, concurrency)
        done("catch_up", "confirming them")
        await scale.confirm_all(concurrency)
        done("confirm", "programme release and announcement fan-out")
        found["fan_out_release"] = await scale.fan_out(rate, 3, scale.release)
        announced = await scale.fan_out(rate, 4, scale.announce)
        found["fan_out_announcement"] = announced or {
            "missing": f"POST {ANNOUNCEMENT_PATH} answers 404: announcements are not on this "
            "branch yet"
        }
        done("fan_out", "pages at size")
        found["pages_registrations"] = await scale.grow(2 * count)
        # the pages as a secretariat meets them: after the fan-out's last deliveries,
        # events and audit entries are written, not while they are
        pids = {**plat.pids(), **({"database": db_pid} if db_pid else {})}
        found["pages_settled_after_seconds"] = await settled(pids)
        found["pages_p95_ms"], found["pages_missing"] = await scale.pages()
        found["badges_pdf"] = await scale.badges() or {
            "missing": f"GET {BADGES_PATH} answers 404: the badge sheet is not on this branch yet"
        }
        done("pages")
    finally:
        await scale.close()
    return found


__all__ = ["measure"]
