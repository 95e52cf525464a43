"""The in-memory unit of work that use-case unit tests run on behaves like the real one:
committed work keeps its state and events, failed work leaves neither."""

from __future__ import annotations

import pytest

from pesnet.shared.catalog import EventPayload
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
