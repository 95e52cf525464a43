"""Several broker nodes in RABBITMQ_URL: the connection tries them in turn, moving on after
an attempt that failed or a connection that was lost (the cluster drill, `make
test-cluster`, does it against three real nodes)."""

from __future__ import annotations

import asyncio

from yarl import URL

from pesnet.shared.failover import FailoverConnection, broker_urls, make_broker

CONNECTED = object()  # what aio-pika sets once an attempt connected (its transport)
NODES = [f"amqp://u:p@127.0.0.1:{port}/" for port in (5690, 5691, 5692)]


def test_rabbitmq_url_may_list_several_nodes() -> None:
    assert broker_urls(" amqp://a/ , amqp://b/,") == ["amqp://a/", "amqp://b/"]
    assert broker_urls("amqp://guest:guest@127.0.0.1:5672/") == [
        "amqp://guest:guest@127.0.0.1:5672/"
    ]
    assert "connection_class" in make_broker(",".join(NODES))._connection_kwargs
    assert "connection_class" not in make_broker(NODES[0])._connection_kwargs


async def test_each_failed_attempt_and_each_lost_connection_moves_to_the_next_node() -> None:
    connection = FailoverConnection(URL(NODES[0]), addresses=NODES)
    assert connection.url == URL(NODES[0])
    connection.transport = None  # the first attempt begins
    assert connection.url == URL(NODES[0])
    connection.transport = None  # it failed: the next goes to the second node
    assert connection.url == URL(NODES[1])
    connection.transport = CONNECTED  # it connected
    connection.transport = None  # a new attempt (after a reconnect()) stays
    assert connection.url == URL(NODES[1])
    connection.transport = CONNECTED
    lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    lost.set_result(None)
    await FailoverConnection._on_connection_close(connection, lost)
    assert connection.url == URL(NODES[2])
    connection.transport = None
    connection.transport = None  # failed again: round the list
    assert connection.url == URL(NODES[0])
