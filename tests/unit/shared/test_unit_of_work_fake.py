"""The in-memory unit of work that use-case unit tests run on behaves like the real one:
committed work keeps its state and events, failed work leaves neither."""

from __future__ import annotations

import copy

import pytest

from pesnet.shared.aggregate import Aggregate, Repository
from pesnet.shared.audit import AuditAction, audit_action, audit_subject
from pesnet.shared.catalog import EventPayload
from pesnet.shared.credentials import Actor, ActorKind
from pesnet.shared.unit_of_work import FakeUnitOfWork


class Noted(EventPayload):
    text: str


class NotebookUnitOfWork(FakeUnitOfWork):
    stores = ("notes",)

    def __init__(self) -> None:
        super().__init__()
        self.notes: dict[str, str] = {}


async def test_committed_work_keeps_its_state_and_events() -> None:
    uow = NotebookUnitOfWork()

    async def work(u: NotebookUnitOfWork) -> int:
        u.notes["a"] = "first"
        u.emit(Noted(text="first"), subject="note/a")
        return len(u.notes)

    assert await uow.run(work) == 1
    assert uow.notes == {"a": "first"}
    assert uow.events(Noted) == [Noted(text="first")]
    assert uow.committed[0].subject == "note/a"
    assert uow.commits == 1


async def test_failed_work_is_rolled_back_and_emits_nothing() -> None:
    uow = NotebookUnitOfWork()
    uow.notes["kept"] = "before"

    async def work(u: NotebookUnitOfWork) -> None:
        u.notes["lost"] = "during"
        u.emit(Noted(text="lost"))
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await uow.run(work)
    assert uow.notes == {"kept": "before"}
    assert uow.events() == []
    assert uow.commits == 0


class Note(Aggregate):
    """An aggregate: it records what happened to it."""

    def __init__(self, note_id: str, text: str) -> None:
        self.id = note_id
        self.text = text

    def write(self, text: str) -> None:
        self.text = text
        self.record(Noted(text=text), subject=f"note/{self.id}")


class Notes(Repository):
    def __init__(self) -> None:
        self.items: dict[str, Note] = {}

    async def get(self, note_id: str) -> Note | None:
        found = copy.deepcopy(self.items.get(note_id))
        self.saw(found)
        return found

    async def save(self, note: Note) -> None:
        self.saw(note)
        self.items[note.id] = copy.deepcopy(note)


class NotesUnitOfWork(FakeUnitOfWork):
    stores = ("notes",)

    def __init__(self) -> None:
        super().__init__()
        self.notes = Notes()


async def test_the_unit_of_work_collects_what_the_aggregates_it_saw_recorded() -> None:
    uow = NotesUnitOfWork()
    uow.notes.items["a"] = Note("a", "")
    uow.actor = Actor(ActorKind.staff, account_id="acc_a")

    async def work(u: NotesUnitOfWork) -> None:
        note = await u.notes.get("a")
        assert note is not None
        note.write("first")
        u.emit(Noted(text="emitted after"))
        note.write("second")  # recorded after the emitted one: kept in that order
        await u.notes.save(note)

    await uow.run(work)
    assert uow.events(Noted) == [
        Noted(text="first"),
        Noted(text="emitted after"),
        Noted(text="second"),
    ]
    # stored without pending events: a later transaction does not write them again
    await uow.run(work)
    assert len(uow.events(Noted)) == 6
    # one audit entry per committed event: who, what, about what, in order, at one time
    first = uow.audited[:3]
    assert [(e.actor, e.action, e.subject, e.seq) for e in first] == [
        ("acc_a", "Noted", "a", 0),
        ("acc_a", "Noted", None, 1),
        ("acc_a", "Noted", "a", 2),
    ]
    assert len({e.at for e in first}) == 1


async def test_failed_work_records_nothing_and_keeps_no_audit_entry() -> None:
    uow = NotesUnitOfWork()
    uow.notes.items["a"] = Note("a", "")

    async def work(u: NotesUnitOfWork) -> None:
        note = await u.notes.get("a")
        assert note is not None
        note.write("lost")
        await u.notes.save(note)
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await uow.run(work)
    assert uow.events() == []
    assert uow.audited == []
    assert uow.notes.items["a"].recorded_events == []


async def test_an_explicit_audit_names_a_catalogued_action() -> None:
    uow = NotesUnitOfWork()

    async def work(u: NotesUnitOfWork) -> None:
        u.audit(AuditAction.personal_data_exported, meeting_id="m1")

    await uow.run(work)
    assert [(e.action, e.meeting_id) for e in uow.audited] == [("check_ins.exported", "m1")]


def test_an_event_is_audited_under_its_type_without_the_service() -> None:
    assert audit_action("registration.participant.confirmed") == "participant.confirmed"
    assert audit_action("Noted") == "Noted"
    assert audit_subject("registration/abc") == "abc"
    assert audit_subject("pesnet-4") == "pesnet-4"
