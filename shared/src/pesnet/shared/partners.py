"""Provision a partner's subscription to the public event stream over AMQP.

    python -m pesnet.shared.partners add <partner> [<pattern> ...]   (default pattern: '#')

The partner's durable quorum queue `partner.<name>` is bound to `pesnet.public` only,
which carries the public event types and nothing else (topology.declare_core binds them).
The partner then consumes with its own RabbitMQ user, which operators give read access
to that queue alone.
"""

from __future__ import annotations

import argparse
import asyncio
import re

from faststream.rabbit import RabbitBroker

from pesnet.shared.events import CATALOG
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.topology import declare_core, declare_partner_queue

PARTNER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")


def partner_queue_name(partner: str) -> str:
    if not PARTNER_NAME.match(partner):
        raise ValueError("partner: 2-41 characters, lower-case letters, digits and '-'")
    return f"partner.{partner}"


async def add_partner(broker: RabbitBroker, partner: str, patterns: list[str]) -> str:
    name = partner_queue_name(partner)
    await declare_core(broker, CATALOG.public_types())
    await declare_partner_queue(broker, name, patterns or ["#"])
    return name


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create or extend a partner's queue on pesnet.public")
    add.add_argument("partner")
    add.add_argument("patterns", nargs="*", help="topic patterns, e.g. 'agenda.#'")
    args = parser.parse_args()
    settings = ServiceSettings()

    async def run() -> None:
        broker = RabbitBroker(settings.amqp_url(), logger=None)
        await broker.connect()
        try:
            name = await add_partner(broker, args.partner, args.patterns)
        finally:
            await broker.stop()
        print(f"partner queue {name} bound to pesnet.public for {args.patterns or ['#']}")

    asyncio.run(run())


if __name__ == "__main__":
    main()
