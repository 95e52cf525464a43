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
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        with self._lock:
            for to in envelope.rcpt_tos:
                self.arrived.setdefault(str(to).lower(), now)
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

    @property
    def count(self) -> int:
        return self.handler.count
