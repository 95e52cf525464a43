"""Several broker nodes for one service: `RABBITMQ_URL` may list the nodes of a RabbitMQ
cluster, comma-separated (`amqp://u:p@node1:5672/,amqp://u:p@node2:5672/`). The service
connects to the first that answers and, when its node goes away (or refuses a reconnection
attempt), tries the next, round the list, with aio-pika's robust connection restoring its
channels and consumers on whichever node it reached. Quorum queues live on every node, so
any node serves any queue. With one URL nothing changes (a Kubernetes Service is one
address in front of the cluster already)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from aio_pika import RobustConnection
from faststream.rabbit import RabbitBroker
from yarl import URL

from pesnet.shared.logging import get_logger

log = get_logger(__name__)


def broker_urls(value: str) -> list[str]:
    """The nodes a `RABBITMQ_URL` lists (one or more, comma-separated)."""
    return [part.strip() for part in value.split(",") if part.strip()]


class FailoverConnection(RobustConnection):
    """A robust connection over several nodes: each attempt goes to the current node; a
    lost connection, or an attempt that failed, moves on to the next one."""

    def __init__(self, url: URL, *, addresses: Sequence[str], **kwargs: Any) -> None:
        self._addresses = [URL(a) for a in addresses] or [URL(url)]
        self._current = 0
        self._attempt_failed = False
        super().__init__(url, **kwargs)
        self._attempt_failed = False

    @property
    def url(self) -> URL:
        return self._addresses[self._current]

    @url.setter
    def url(self, value: URL) -> None:
        # aio-pika sets it at construction (the first address) and on a password update
        self._addresses[self._current] = URL(value)

    @property
    def transport(self) -> Any:
        return self._transport

    @transport.setter
    def transport(self, value: Any) -> None:
        # aio-pika clears it when an attempt to connect begins: one that follows an
        # attempt that never connected goes to the next node
        if value is None and getattr(self, "_attempt_failed", False):
            self._next_node("the last attempt failed")
        # set when an attempt begins, and stays so unless the attempt connects
        self._attempt_failed = value is None
        self._transport = value

    async def _on_connected(self) -> None:
        log.info("broker connected", node=self._addresses[self._current].host_port_subcomponent)
        await super()._on_connected()

    async def _on_connection_close(self, closing: Any) -> None:
        if not self._close_called:  # lost, not closed by us (a shutdown)
            self._next_node("the connection was lost")
        await super()._on_connection_close(closing)

    def _next_node(self, why: str) -> None:
        if len(self._addresses) > 1:
            self._current = (self._current + 1) % len(self._addresses)
            log.warning(
                "broker node changed",
                why=why,
                node=self._addresses[self._current].host_port_subcomponent,
            )


def make_broker(url: str, **kwargs: Any) -> RabbitBroker:
    """A FastStream broker on the node(s) `url` lists."""
    urls = broker_urls(url)
    broker = RabbitBroker(urls[0], **kwargs)
    if len(urls) > 1:
        # FastStream hands its connection arguments to aio-pika's `connect_robust`, which
        # takes the connection's class
        broker._connection_kwargs["connection_class"] = functools.partial(
            FailoverConnection, addresses=urls
        )
    return broker
