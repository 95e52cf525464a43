"""The RabbitMQ management API calls the partners CLI makes (`pesnet.shared.partners`):
partner users, their one permission, the policy that bounds their queues, and what
`list` shows (each queue's depth against that bound)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from pesnet.shared.topology import (
    PARTNER_ALERT_FRACTION,
    PARTNER_QUEUE_PREFIX,
    PARTNER_QUEUES_POLICY,
    PUBLIC_EXCHANGE,
    PUBLIC_STREAM,
    partner_queue_policy,
)

if TYPE_CHECKING:
    from pesnet.shared.partners import PartnerSettings

STREAM_PATTERN = PUBLIC_STREAM.replace(".", "\\.")
# Every partner user carries this tag: `list`, `rotate` and `remove` touch no other user.
PARTNER_TAG = "pesnet-partner"


class PartnerError(Exception):
    """What the operator must fix: printed as one line, exit code 2."""


class BrokerUnavailable(Exception):
    """The broker or its management API cannot be reached or refuses us: exit code 1."""


@dataclass(frozen=True)
class PartnerInfo:
    name: str
    patterns: list[str]
    messages: int | None
    consumers: int | None
    # the most the queue keeps (the broker policy's max-length), None: unbounded
    bound: int | None = None

    @property
    def nearly_full(self) -> bool:
        """Past the share of its bound where monitoring should alert."""
        return bool(self.bound and self.messages and self.messages >= self.alert_at)

    @property
    def alert_at(self) -> int:
        return int((self.bound or 0) * PARTNER_ALERT_FRACTION)


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
        """Read its own queue and the public stream; configure and write nothing."""
        await self.call(
            "PUT",
            f"/permissions/{self.vhost}/{quote(name, safe='')}",
            # its own queue, and the stream of public events to replay
            {"configure": "^$", "write": "^$", "read": f"^(partner\\.{name}|{STREAM_PATTERN})$"},
        )

    async def close_connections(self, name: str) -> None:
        await self.call("DELETE", f"/connections/username/{quote(name, safe='')}", missing_ok=True)

    async def delete_user(self, name: str) -> None:
        await self.call("DELETE", f"/users/{quote(name, safe='')}", missing_ok=True)

    async def bound_partner_queues(self, max_length: int, ttl_seconds: int) -> None:
        """The policy that bounds every partner queue in this vhost (idempotent)."""
        await self.call(
            "PUT",
            f"/policies/{self.vhost}/{PARTNER_QUEUES_POLICY}",
            partner_queue_policy(max_length, ttl_seconds),
        )

    async def delete_queue(self, queue: str) -> None:
        await self.call("DELETE", f"/queues/{self.vhost}/{quote(queue, safe='')}", missing_ok=True)

    async def partners(self) -> list[PartnerInfo]:
        """Partners with permissions in this vhost: their patterns and queue depth."""
        users = {u["name"] for u in await self.call("GET", "/users") if PARTNER_TAG in _tags(u)}
        granted = {p["user"] for p in await self.call("GET", f"/vhosts/{self.vhost}/permissions")}
        found = []
        for name in sorted(users & granted):
            queue = quote(PARTNER_QUEUE_PREFIX + name, safe="")
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
                    bound=_max_length(info),
                )
            )
        return found


def _max_length(queue: dict[str, Any] | None) -> int | None:
    """The length bound in force on a queue (its effective policy's, or its own)."""
    if not queue:
        return None
    effective = queue.get("effective_policy_definition") or {}
    bound = effective.get("max-length", (queue.get("arguments") or {}).get("x-max-length"))
    return int(bound) if bound is not None else None


def _tags(user: dict[str, Any]) -> list[str]:
    tags = user.get("tags") or []
    # a list since RabbitMQ 3.9, a comma-separated string before
    return [t.strip() for t in tags.split(",")] if isinstance(tags, str) else list(tags)


__all__ = ["PARTNER_TAG", "BrokerUnavailable", "Management", "PartnerError", "PartnerInfo"]
