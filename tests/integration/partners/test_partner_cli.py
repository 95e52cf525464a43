"""The partners CLI as operators use it: clear refusals (exit 2, one line, no traceback),
`list`, `rotate` and `remove` against the real broker and its management API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from urllib.parse import quote

import aio_pika
import httpx
import pytest
from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.events.agenda import MeetingScheduled
from pesnet.shared.i18n import Localized
from pesnet.shared.messaging import EventPublisher
from tests.integration.partners.conftest import CliResult
from tests.support import eventually

pytestmark = pytest.mark.integration


def url_in(result: CliResult) -> str:
    assert result.code == 0, result.err
    match = re.search(r"amqps?://\S+", result.out)
    assert match, result.out
    return match.group(0)


def assert_refused(result: CliResult, *words: str) -> None:
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("add", "Bad_Name", "--events", "agenda.#"), ("partner name",)),
        (("add", "x", "--events", "agenda.#"), ("partner name",)),
        (("add", "guest", "--events", "agenda.#"), ("reserved",)),
        (("add", "fine-name", "--events", "nothing.#"), ("matches no public event type",)),
        # internal event types are not on pesnet.public: a pattern for them matches nothing
        (("add", "fine-name", "--events", "registration.participant.*"), ("matches no public",)),
        (("add", "fine-name", "--events", "agenda.#,agenda..x"), ("event pattern",)),
        (("rotate", "nobody-here"), ("no partner",)),
        (("remove", "nobody-here"), ("no partner",)),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    partners_cli: Callable[..., CliResult], args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    assert_refused(partners_cli(*args), *words)


def test_missing_settings_outside_dev_mode(partners_cli: Callable[..., CliResult]) -> None:
    result = partners_cli("list", env={"PESNET_ENV": "production"})
    assert_refused(result, "RABBITMQ_URL", "RABBITMQ_MANAGEMENT_URL")


def test_another_user_is_not_taken_over(
    partners_cli: Callable[..., CliResult], management: httpx.Client, unique: str
) -> None:
    name = f"svc-{unique}"
    management.put(f"/users/{name}", json={"password": "x-not-a-partner", "tags": ""})
    try:
        assert_refused(partners_cli("add", name, "--events", "agenda.#"), "not a partner")
        assert_refused(partners_cli("remove", name), "not a partner")
    finally:
        management.delete(f"/users/{name}")


async def test_list_rotate_remove(
    partners_cli: Callable[..., CliResult],
    admin_broker: RabbitBroker,
    management: httpx.Client,
    vhost: str,
    unique: str,
) -> None:
    name = f"ops-{unique}"
    first = url_in(partners_cli("add", name, "--events", "agenda.meeting.scheduled,actionplan.#"))
    more = partners_cli("add", name, "agenda.chairmanship.transferred")
    assert more.code == 0
    assert "password unchanged" in more.out
    assert "amqp://" not in more.out

    await EventPublisher(admin_broker).publish(
        CATALOG.envelope(
            MeetingScheduled(
                meeting_id=f"m-{unique}", number=1, title=Localized(en="1"), timezone="UTC"
            ),
            source="/test",
        )
    )

    def listed() -> str:
        lines = [line for line in partners_cli("list").out.splitlines() if line.startswith(name)]
        return lines[0] if lines else ""

    async def depth_shown() -> bool:
        return listed().split()[1:2] == ["1"]

    await eventually(depth_shown, within=30)  # the management API's queue stats lag a little
    assert "actionplan.#, agenda.chairmanship.transferred, agenda.meeting.scheduled" in listed()

    live = await aio_pika.connect(first, timeout=10)
    second = url_in(partners_cli("rotate", name))
    assert second != first
    await eventually(lambda: _closed(live))
    with pytest.raises(aio_pika.exceptions.AMQPConnectionError):
        await aio_pika.connect(first, timeout=10)
    live = await aio_pika.connect(second, timeout=10)

    removed = partners_cli("remove", name)
    assert removed.code == 0, removed.err
    await eventually(lambda: _closed(live))
    with pytest.raises(aio_pika.exceptions.AMQPConnectionError):
        await aio_pika.connect(second, timeout=10)
    queue = quote(f"partner.{name}", safe="")
    user_gone, queue_gone = await asyncio.to_thread(
        lambda: (management.get(f"/users/{name}"), management.get(f"/queues/{vhost}/{queue}"))
    )
    assert user_gone.status_code == 404
    assert queue_gone.status_code == 404
    assert name not in partners_cli("list").out


async def _closed(connection: aio_pika.abc.AbstractConnection) -> bool:
    """The broker closed it: no channel opens on it any more."""
    try:
        channel = await connection.channel()
    except Exception:
        return True
    await channel.close()
    return False
