"""The embedded MongoDB-wire server (SecantusDB), with mongod's transaction reaper.

mongod aborts a transaction left open past `transactionLifetimeLimitSeconds` (60 s) from
a periodic background job, so a client killed in the middle of one (`kill -9`) holds its
documents for a minute at most. SecantusDB reaps such transactions only when another
transaction statement arrives; a plain write that meets the dead transaction's writes
retries without end while it waits, so after a killed mail sender nothing else comes
and the collection stays blocked (the fault drill saw 572 s). This starts the server as
its own command line does, plus a thread that reaps expired transactions every few
seconds, as mongod does.

    python -m pesnet.devtools.embedded_mongo_server [--transaction-lifetime S] <secantusdb's flags>
"""

from __future__ import annotations

import functools
import sys
import threading
from typing import Any

from secantus import cli
from secantus.server import SecantusDBServer

REAP_EVERY_SECONDS = 5.0
LIFETIME_FLAG = "--transaction-lifetime"


class ReapingServer(SecantusDBServer):
    """SecantusDB with a periodic sweep of transactions idle past their lifetime."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reaper_stop = threading.Event()

    def start(self) -> None:
        super().start()
        threading.Thread(target=self._reap, name="transaction-reaper", daemon=True).start()

    def stop(self) -> None:
        self._reaper_stop.set()
        super().stop()

    def _reap(self) -> None:
        every = min(REAP_EVERY_SECONDS, self.transactions._lifetime / 2)
        while not self._reaper_stop.wait(every):
            self.transactions.prune_expired()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    lifetime = 60.0  # mongod's transactionLifetimeLimitSeconds
    if LIFETIME_FLAG in args:
        at = args.index(LIFETIME_FLAG)
        lifetime = float(args[at + 1])
        del args[at : at + 2]
    # the command line builds the server by this name
    cli.SecantusDBServer = functools.partial(ReapingServer, transaction_lifetime_seconds=lifetime)
    result: int = cli.main(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
