"""Partners on the public event stream over AMQP, each with a least-privilege RabbitMQ user.

    python -m pesnet.shared.partners add NAME --events 'agenda.#,registration.delegation.updated'
    python -m pesnet.shared.partners list
    python -m pesnet.shared.partners rotate NAME
    python -m pesnet.shared.partners remove NAME

`add` declares the partner's durable queue `partner.NAME`, bound to `pesnet.public` only
(which carries the public event types and nothing else), bounded like every partner
queue by the broker policy `pesnet-partner-queues` (PESNET_PARTNER_QUEUE_MAX_LENGTH
events, 100,000; PESNET_PARTNER_QUEUE_TTL_SECONDS, a week; the oldest dropped first, so
that a partner who stops reading never blocks the platform), and creates the RabbitMQ user
NAME through the management HTTP API with permissions in the vhost of RABBITMQ_URL:
configure '^$', write '^$', read '^(partner\\.NAME|pesnet\\.public\\.stream)$'. Consuming
needs read on the queue alone, so the partner can consume its queue, and replay the stream
of public events (`pesnet.public.stream`, from an offset or a point in time with
`x-stream-offset`; `add` declares it and prints how), and do nothing else: no publishing (not even
to the default exchange, which is `amq.default` to permission checks), no declaring, no
binding, no other queue. The AMQP URL with the password is printed once; `rotate` makes a
new one (and closes the partner's open connections), `remove` deletes the user, closes its
connections and deletes its queue.

RabbitMQ does not check permissions on *passive* declares: a partner can learn whether an
exchange or queue of a given name exists, and nothing more.

Settings (environment): RABBITMQ_URL (the broker and vhost; AMQP credentials that may
declare), RABBITMQ_MANAGEMENT_URL, RABBITMQ_MANAGEMENT_USER, RABBITMQ_MANAGEMENT_PASSWORD
(a user tagged `administrator`), and optionally PARTNERS_AMQP_URL (the broker address as
partners reach it, e.g. amqps://broker.example.org:5671/). Dev/test mode (PESNET_ENV) has
defaults for the first four (the local broker, guest/guest); production has none.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import sys
from collections.abc import Iterable, Sequence
from typing import Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from faststream.rabbit import RabbitBroker
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pesnet.shared.events import CATALOG
from pesnet.shared.partner_management import (
    BrokerUnavailable,
    Management,
    PartnerError,
)
from pesnet.shared.settings import DEV_RABBITMQ_URL
from pesnet.shared.topics import topic_matches
from pesnet.shared.topology import (
    PARTNER_ALERT_FRACTION,
    PARTNER_MAX_LENGTH,
    PARTNER_QUEUE_PREFIX,
    PARTNER_TTL_SECONDS,
    PUBLIC_EXCHANGE,
    PUBLIC_STREAM,
    PUBLIC_STREAM_MAX_AGE,
    PUBLIC_STREAM_MAX_BYTES,
    dead_letter_queue_name,
    declare_core,
    declare_partner_queue,
    declare_public_stream,
)

PARTNER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
# Names a partner may not take: RabbitMQ's default user and the platform's own users.
RESERVED = frozenset(
    {"guest", "admin", "pesnet", "registration", "agenda", "actionplan", "notifications"}
    | {"identity", "pesnet-admin", "rabbitmq"}
)
TOPIC_WORD = re.compile(r"^([a-z0-9_]+|\*|#)$")
DEV_MANAGEMENT_URL = "http://127.0.0.1:15672"
DEV_MANAGEMENT_USER = "guest"


def partner_queue_name(partner: str) -> str:
    if not PARTNER_NAME.match(partner):
        raise ValueError(
            f"partner name {partner!r}: 2-41 characters, lower-case letters, digits and '-', "
            "starting with a letter or digit"
        )
    return PARTNER_QUEUE_PREFIX + partner


def check_partner_name(partner: str) -> str:
    try:
        queue = partner_queue_name(partner)
    except ValueError as exc:
        raise PartnerError(str(exc)) from None
    if partner in RESERVED:
        raise PartnerError(f"partner name {partner!r} is reserved for the platform")
    return queue


def parse_patterns(values: Iterable[str], public_types: Sequence[str]) -> list[str]:
    """Comma- or argument-separated topic patterns; each must match a public event type."""
    patterns: list[str] = []
    for value in values:
        for pattern in (p.strip() for p in value.split(",")):
            if not pattern:
                continue
            if not all(TOPIC_WORD.match(word) for word in pattern.split(".")):
                raise PartnerError(
                    f"event pattern {pattern!r}: dot-separated words of a-z, 0-9 and '_', "
                    "or '*' (one word) or '#' (any number of words)"
                )
            if not any(topic_matches(pattern, t) for t in public_types):
                raise PartnerError(
                    f"event pattern {pattern!r} matches no public event type "
                    f"(see GET /events/catalog): {', '.join(public_types)}"
                )
            if pattern not in patterns:
                patterns.append(pattern)
    return patterns or ["#"]


class PartnerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    env: Literal["dev", "test", "production"] = Field(default="production", alias="PESNET_ENV")
    rabbitmq_url: SecretStr | None = Field(default=None, alias="RABBITMQ_URL")
    management_url: str | None = Field(default=None, alias="RABBITMQ_MANAGEMENT_URL")
    management_user: str | None = Field(default=None, alias="RABBITMQ_MANAGEMENT_USER")
    management_password: SecretStr | None = Field(
        default=None, alias="RABBITMQ_MANAGEMENT_PASSWORD"
    )
    partners_amqp_url: str | None = Field(default=None, alias="PARTNERS_AMQP_URL")
    # what a partner's queue keeps when the partner does not read (the broker policy)
    queue_max_length: int = Field(
        default=PARTNER_MAX_LENGTH, ge=1, alias="PESNET_PARTNER_QUEUE_MAX_LENGTH"
    )
    queue_ttl_seconds: int = Field(
        default=PARTNER_TTL_SECONDS, ge=1, alias="PESNET_PARTNER_QUEUE_TTL_SECONDS"
    )

    @model_validator(mode="after")
    def _credentials_outside_dev_mode(self) -> PartnerSettings:
        if self.env in ("dev", "test"):
            self.rabbitmq_url = self.rabbitmq_url or SecretStr(DEV_RABBITMQ_URL)
            self.management_url = self.management_url or DEV_MANAGEMENT_URL
            self.management_user = self.management_user or DEV_MANAGEMENT_USER
            self.management_password = self.management_password or SecretStr(DEV_MANAGEMENT_USER)
            return self
        missing = [
            name
            for name, value in (
                ("RABBITMQ_URL", self.rabbitmq_url),
                ("RABBITMQ_MANAGEMENT_URL", self.management_url),
                ("RABBITMQ_MANAGEMENT_USER", self.management_user),
                ("RABBITMQ_MANAGEMENT_PASSWORD", self.management_password),
            )
            if value is None
        ]
        if missing:
            raise ValueError(
                f"outside dev mode these must be set: {', '.join(missing)} "
                "(or set PESNET_ENV=dev for local development)"
            )
        return self

    def amqp_url(self) -> str:
        assert self.rabbitmq_url is not None  # the validator sets it
        return self.rabbitmq_url.get_secret_value()

    @property
    def vhost(self) -> str:
        path = urlsplit(self.amqp_url()).path
        return unquote(path[1:]) if len(path) > 1 else "/"

    def partner_url(self, user: str, password: str) -> str:
        """The URL a partner connects with: PARTNERS_AMQP_URL's address, else the broker's,
        in the vhost of RABBITMQ_URL."""
        base = urlsplit(self.partners_amqp_url or self.amqp_url())
        host = base.hostname or "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
        if base.port:
            netloc += f":{base.port}"
        path = "/" if self.vhost == "/" else "/" + quote(self.vhost, safe="")
        return urlunsplit((base.scheme, netloc, path, "", ""))


def new_password() -> str:
    return secrets.token_urlsafe(24)


async def add_partner(broker: RabbitBroker, partner: str, patterns: list[str]) -> str:
    """The partner's queue on pesnet.public, bound to `patterns` (the AMQP side of `add`)."""
    name = partner_queue_name(partner)
    await declare_core(broker, CATALOG.public_types())
    await declare_public_stream(broker)
    await declare_partner_queue(broker, name, patterns or ["#"])
    return name


def replay_instructions() -> list[str]:
    """How a partner reads past public events again (printed by `add`)."""
    return [
        f"replay: consume the stream {PUBLIC_STREAM} (every public event of the last "
        f"{PUBLIC_STREAM_MAX_AGE.removesuffix('D')} days, at most "
        f"{PUBLIC_STREAM_MAX_BYTES // 1_000_000_000} GB) with a prefetch (basic.qos, e.g. 100), "
        "manual acknowledgements and the consumer argument x-stream-offset: "
        '"first", "last", "next", an offset (a number), or a point in time (an AMQP '
        "timestamp, seconds since the epoch); it holds every public event type, "
        "filter by the routing key (the event type)",
    ]


async def _declare(settings: PartnerSettings, partner: str, patterns: list[str]) -> str:
    broker = RabbitBroker(settings.amqp_url(), logger=None)
    try:
        await broker.connect()
    except Exception as exc:
        address = urlsplit(settings.amqp_url())
        raise BrokerUnavailable(
            f"cannot connect to RabbitMQ at {address.hostname}:{address.port or 5672} "
            f"(vhost {settings.vhost!r}): {type(exc).__name__}: {exc}"
        ) from None
    try:
        return await add_partner(broker, partner, patterns)
    finally:
        await broker.stop()


async def cmd_add(settings: PartnerSettings, partner: str, patterns: list[str]) -> list[str]:
    queue = check_partner_name(partner)
    lines = []
    async with Management(settings) as api:
        existing = await api.partner(partner)
        await api.bound_partner_queues(settings.queue_max_length, settings.queue_ttl_seconds)
        await _declare(settings, partner, patterns)
        password = new_password() if existing is None else None
        if password is not None:
            await api.put_user(partner, password)
        await api.grant_own_queue_only(partner)
        lines.append(f"{queue} on {PUBLIC_EXCHANGE} receives: {', '.join(patterns)}")
        lines.extend(replay_instructions())
        if password is not None:
            lines.append(
                "AMQP URL (shown once; give it to the partner over a safe channel): "
                + settings.partner_url(partner, password)
            )
        else:
            lines.append(
                f"partner {partner} existed: patterns added, password unchanged "
                f"(`rotate {partner}` makes a new one)"
            )
    return lines


async def cmd_rotate(settings: PartnerSettings, partner: str) -> list[str]:
    check_partner_name(partner)
    async with Management(settings) as api:
        if await api.partner(partner) is None:
            raise PartnerError(f"no partner {partner!r}")
        password = new_password()
        await api.put_user(partner, password)
        await api.close_connections(partner)
    return [
        f"new password for {partner}; its open connections were closed",
        "AMQP URL (shown once): " + settings.partner_url(partner, password),
    ]


async def cmd_remove(settings: PartnerSettings, partner: str) -> list[str]:
    queue = check_partner_name(partner)
    async with Management(settings) as api:
        if await api.partner(partner) is None:
            raise PartnerError(f"no partner {partner!r}")
        await api.delete_user(partner)
        await api.close_connections(partner)
        await api.delete_queue(queue)
        await api.delete_queue(dead_letter_queue_name(queue))
    return [f"removed partner {partner}: its user, its connections and {queue}"]


async def cmd_list(settings: PartnerSettings) -> list[str]:
    async with Management(settings) as api:
        partners = await api.partners()
    if not partners:
        return [f"no partners in vhost {settings.vhost!r}"]
    rows = [("partner", "messages", "of at most", "consumers", "events")]
    rows += [
        (
            p.name + (" (!)" if p.nearly_full else ""),
            "-" if p.messages is None else str(p.messages),
            "unbounded" if p.bound is None else str(p.bound),
            "-" if p.consumers is None else str(p.consumers),
            ", ".join(p.patterns) or "(no queue)",
        )
        for p in partners
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}  {r[4]}"
        for r in rows
    ]
    if any(p.nearly_full for p in partners):
        lines.append(
            f"(!) past {PARTNER_ALERT_FRACTION:.0%} of its bound: the partner is not reading; "
            "beyond the bound its oldest events are dropped"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pesnet.shared.partners",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create a partner (user + queue), or add patterns")
    add.add_argument("partner")
    add.add_argument(
        "--events",
        action="append",
        default=[],
        help="comma-separated topic patterns of public event types, e.g. 'agenda.#' "
        "(default: every public event)",
    )
    add.add_argument("patterns", nargs="*", help="more patterns")
    sub.add_parser(
        "list", help="partners of this vhost, their events and queue depth against its bound"
    )
    rotate = sub.add_parser("rotate", help="a new password (printed once)")
    rotate.add_argument("partner")
    remove = sub.add_parser("remove", help="delete the user, its connections and its queue")
    remove.add_argument("partner")
    args = parser.parse_args(argv)

    try:
        if args.command == "add":
            check_partner_name(args.partner)
            patterns = parse_patterns([*args.events, *args.patterns], CATALOG.public_types())
        try:
            settings = PartnerSettings()
        except ValidationError as exc:
            raise PartnerError(
                "; ".join(str(e.get("ctx", {}).get("error", e["msg"])) for e in exc.errors())
            ) from None
        if args.command == "add":
            lines = asyncio.run(cmd_add(settings, args.partner, patterns))
        elif args.command == "rotate":
            lines = asyncio.run(cmd_rotate(settings, args.partner))
        elif args.command == "remove":
            lines = asyncio.run(cmd_remove(settings, args.partner))
        else:
            lines = asyncio.run(cmd_list(settings))
    except PartnerError as exc:
        print(f"partners: {exc}", file=sys.stderr)
        return 2
    except BrokerUnavailable as exc:
        print(f"partners: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
