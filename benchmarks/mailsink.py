"""An SMTP sink that notes when each mail arrived and to whom: the far end of the path
whose speed the benchmark measures (the dev sink of `make run` keeps whole mails in a
Maildir; here only the arrival time counts)."""

from __future__ import annotations

import threading
import time
from typing import Any

from aiosmtpd.controller import Controller

from pesnet.devtools.ports import free_port


class TimingHandler:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        # every mail's arrival, per address (the fan-outs wait for the n-th)
        self.all: dict[str, list[float]] = {}
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        with self._lock:
            for to in envelope.rcpt_tos:
                self.arrived.setdefault(str(to).lower(), now)
                self.all.setdefault(str(to).lower(), []).append(now)
            self.count += 1
        return "250 Message accepted for delivery"


class TimingSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = TimingHandler()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True
        )

    def start(self) -> TimingSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def arrived(self, address: str) -> float | None:
        return self.handler.arrived.get(address.lower())

    def nth(self, address: str, n: int) -> float | None:
        """When the `n`-th mail to `address` arrived (1: the first)."""
        arrivals = self.handler.all.get(address.lower(), [])
        return arrivals[n - 1] if len(arrivals) >= n else None

    @property
    def count(self) -> int:
        return self.handler.count
