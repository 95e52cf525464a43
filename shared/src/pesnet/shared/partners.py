"""Partners on the public event stream over AMQP, each with a least-privilege RabbitMQ user.

    python -m pesnet.shared.partners add NAME --events 'agenda.#,registration.delegation.updated'
    python -m pesnet.shared.partners list
    python -m pesnet.shared.partners rotate NAME
    python -m pesnet.shared.partners remove NAME

`add` declares the partner's durable queue `partner.NAME`, bound to `pesnet.public` only
(which carries the public event types and nothing else), and creates the RabbitMQ user
NAME through the management HTTP API with permissions in the vhost of RABBITMQ_URL:
configure '^$', write '^$', read '^partner\\.NAME$'. Consuming needs read on the queue
alone, so the partner can consume its queue and do nothing else: no publishing (not even
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
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx
from faststream.rabbit import RabbitBroker
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pesnet.shared.events import CATALOG
from pesnet.shared.settings import DEV_RABBITMQ_URL
from pesnet.shared.topology import (
    PUBLIC_EXCHANGE,
    dead_letter_queue_name,
    declare_core,
    declare_partner_queue,
)

PARTNER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
# Every partner user carries this tag: `list`, `rotate` and `remove` touch no other user.
PARTNER_TAG = "pesnet-partner"
# Names a partner may not take: RabbitMQ's default user and the platform's own users.
RESERVED = frozenset(
    {"guest", "admin", "pesnet", "registration", "agenda", "actionplan", "notifications"}
    | {"identity", "pesnet-admin", "rabbitmq"}
)
TOPIC_WORD = re.compile(r"^([a-z0-9_]+|\*|#)$")
DEV_MANAGEMENT_URL = "http://127.0.0.1:15672"
DEV_MANAGEMENT_USER = "guest"


class PartnerError(Exception):
    """What the operator must fix: printed as one line, exit code 2."""


class BrokerUnavailable(Exception):
    """The broker or its management API cannot be reached or refuses us: exit code 1."""


def partner_queue_name(partner: str) -> str:
    if not PARTNER_NAME.match(partner):
        raise ValueError(
            f"partner name {partner!r}: 2-41 characters, lower-case letters, digits and '-', "
            "starting with a letter or digit"
        )
    return f"partner.{partner}"


def check_partner_name(partner: str) -> str:
    try:
        queue = partner_queue_name(partner)
    except ValueError as exc:
        raise PartnerError(str(exc)) from None
    if partner in RESERVED:
        raise PartnerError(f"partner name {partner!r} is reserved for the platform")
    return queue


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` zero or more."""

    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and p[0] in ("*", k[0]) and match(p[1:], k[1:])

    return match(pattern.split("."), routing_key.split("."))


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


@dataclass(frozen=True)
class PartnerInfo:
    name: str
    patterns: list[str]
    messages: int | None
    consumers: int | None


class Management:
    """The few calls of RabbitMQ's management HTTP API that partners need."""

    def __init__(self, settings: PartnerSettings) -> None:
        assert settings.management_url
        assert settings.management_user
        assert settings.management_password is not None
        self.base = settings.management_url.rstrip("/")
        self.vhost = quote(settings.vhost, safe="")
        self.http = httpx.AsyncClient(
            base_url=f"{self.base}/api",
            auth=(settings.management_user, settings.management_password.get_secret_value()),
            timeout=15.0,
        )

    async def __aenter__(self) -> Management:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    async def call(
        self, method: str, path: str, json: Any = None, *, missing_ok: bool = False
    ) -> Any:
        try:
            response = await self.http.request(
                method, path, json=json, headers={"x-reason": "pesnet partners"}
            )
        except httpx.HTTPError as exc:
            raise BrokerUnavailable(
                f"cannot reach the RabbitMQ management API at {self.base} ({exc}); "
                "enable it with `rabbitmq-plugins enable rabbitmq_management`"
            ) from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code == 401:
            raise BrokerUnavailable(
                f"the management API at {self.base} refused RABBITMQ_MANAGEMENT_USER's credentials"
            )
        if response.is_error:
            raise BrokerUnavailable(
                f"management API {method} {path}: {response.status_code} {response.text[:200]}"
            )
        return response.json() if response.content else None

    async def user(self, name: str) -> dict[str, Any] | None:
        user: dict[str, Any] | None = await self.call(
            "GET", f"/users/{quote(name, safe='')}", missing_ok=True
        )
        return user

    async def partner(self, name: str) -> dict[str, Any] | None:
        """The partner's user, None if there is none; an error if NAME is another user."""
        user = await self.user(name)
        if user is not None and PARTNER_TAG not in _tags(user):
            raise PartnerError(f"RabbitMQ user {name!r} exists and is not a partner")
        return user

    async def put_user(self, name: str, password: str) -> None:
        await self.call(
            "PUT", f"/users/{quote(name, safe='')}", {"password": password, "tags": PARTNER_TAG}
        )

    async def grant_own_queue_only(self, name: str) -> None:
        await self.call(
            "PUT",
            f"/permissions/{self.vhost}/{quote(name, safe='')}",
            {"configure": "^$", "write": "^$", "read": f"^partner\\.{name}$"},
        )

    async def close_connections(self, name: str) -> None:
        await self.call("DELETE", f"/connections/username/{quote(name, safe='')}", missing_ok=True)

    async def delete_user(self, name: str) -> None:
        await self.call("DELETE", f"/users/{quote(name, safe='')}", missing_ok=True)

    async def delete_queue(self, queue: str) -> None:
        await self.call("DELETE", f"/queues/{self.vhost}/{quote(queue, safe='')}", missing_ok=True)

    async def partners(self) -> list[PartnerInfo]:
        """Partners with permissions in this vhost: their patterns and queue depth."""
        users = {u["name"] for u in await self.call("GET", "/users") if PARTNER_TAG in _tags(u)}
        granted = {p["user"] for p in await self.call("GET", f"/vhosts/{self.vhost}/permissions")}
        found = []
        for name in sorted(users & granted):
            queue = quote(partner_queue_name(name), safe="")
            info = await self.call("GET", f"/queues/{self.vhost}/{queue}", missing_ok=True)
            bindings = await self.call(
                "GET", f"/queues/{self.vhost}/{queue}/bindings", missing_ok=True
            )
            found.append(
                PartnerInfo(
                    name=name,
                    patterns=sorted(
                        b["routing_key"]
                        for b in bindings or []
                        if b.get("source") == PUBLIC_EXCHANGE
                    ),
                    messages=info.get("messages") if info else None,
                    consumers=info.get("consumers") if info else None,
                )
            )
        return found


def _tags(user: dict[str, Any]) -> list[str]:
    tags = user.get("tags") or []
    # a list since RabbitMQ 3.9, a comma-separated string before
    return [t.strip() for t in tags.split(",")] if isinstance(tags, str) else list(tags)


def new_password() -> str:
    return secrets.token_urlsafe(24)


async def add_partner(broker: RabbitBroker, partner: str, patterns: list[str]) -> str:
    """The partner's queue on pesnet.public, bound to `patterns` (the AMQP side of `add`)."""
    name = partner_queue_name(partner)
    await declare_core(broker, CATALOG.public_types())
    await declare_partner_queue(broker, name, patterns or ["#"])
    return name


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
        await _declare(settings, partner, patterns)
        password = new_password() if existing is None else None
        if password is not None:
            await api.put_user(partner, password)
        await api.grant_own_queue_only(partner)
        lines.append(f"{queue} on {PUBLIC_EXCHANGE} receives: {', '.join(patterns)}")
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
    rows = [("partner", "messages", "consumers", "events")]
    rows += [
        (
            p.name,
            "-" if p.messages is None else str(p.messages),
            "-" if p.consumers is None else str(p.consumers),
            ", ".join(p.patterns) or "(no queue)",
        )
        for p in partners
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows]


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
    sub.add_parser("list", help="partners of this vhost, their events and queue depth")
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
