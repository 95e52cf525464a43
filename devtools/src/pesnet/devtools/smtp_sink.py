"""A real SMTP server that keeps every mail it receives in a Maildir.

`make run` starts it for notifications to deliver to; the notifications service
lists the Maildir under `GET /dev/mailbox` in dev mode. Tests start one too.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import threading
from email import message_from_bytes, policy
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from pesnet.devtools.ports import free_port


class MaildirHandler:
    def __init__(self, directory: Path) -> None:
        self.maildir = mailbox.Maildir(str(directory), create=True)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.SMTP)
        if "X-Envelope-To" not in msg:
            msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.maildir.add(msg)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = Path(directory)
        self.port = port or free_port()
        self.controller = Controller(
            MaildirHandler(self.directory),
            hostname="127.0.0.1",
            port=self.port,
            enable_SMTPUTF8=True,  # internationalized addresses (RFC 6531)
        )

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP sink that stores mails in a Maildir")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args()
    sink = SmtpSink(args.maildir, args.port).start()
    print(f"SMTP sink on 127.0.0.1:{sink.port}, Maildir {args.maildir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sink.stop()


if __name__ == "__main__":
    main()
