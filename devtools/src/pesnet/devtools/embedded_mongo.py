"""The embedded MongoDB-wire server (SecantusDB) as a child process.

A separate process, not a thread in ours: it is CPU-bound Python and would
otherwise compete with the service or test for the GIL. It reports itself as a
single-node replica set, so transactions and change streams work through PyMongo.

Durability: on disk, SecantusDB keeps a WiredTiger journal, so a commit survives the
server process being killed. It fsyncs that journal on a plain write that asks for
`j: true`, but not on `commitTransaction` whatever its write concern says, unless
it runs with `--sync-on-commit`: we start it so on disk, so that the kernel's
`w: "majority", j: true` holds for transactions too (a power loss then loses no
acknowledged commit). In memory (the tests) there is no journal at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

from pesnet.devtools.ports import free_port, wait_for_port


class EmbeddedMongo:
    def __init__(
        self,
        storage_path: str | Path = ":memory:",
        port: int | None = None,
        *,
        sync_on_commit: bool = True,
        auth: bool = False,
        transaction_lifetime: float | None = None,
    ) -> None:
        self.storage_path = str(storage_path)
        self.port = port or free_port()
        self.sync_on_commit = sync_on_commit and self.storage_path != ":memory:"
        # SCRAM authentication and roles, as a production replica set runs (its users are
        # made first, on the same storage, by a server started without it)
        self.auth = auth
        # how long a transaction left open (its client killed) holds its writes; mongod's 60 s
        self.transaction_lifetime = transaction_lifetime
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self, log_file: Path | None = None) -> EmbeddedMongo:
        if self.storage_path != ":memory:":
            Path(self.storage_path).mkdir(parents=True, exist_ok=True)
        # secantusdb's own command line, with mongod's reaper of expired transactions
        command = [sys.executable, "-m", "pesnet.devtools.embedded_mongo_server"]
        # the child keeps its own copy of the descriptor; ours can close right away
        out = log_file.open("ab") if log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter's script
            [
                *command,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--storage-path",
                self.storage_path,
                "--log-level",
                "WARNING",
                *(["--sync-on-commit"] if self.sync_on_commit else []),
                *(["--auth"] if self.auth else []),
                *(
                    ["--transaction-lifetime", str(self.transaction_lifetime)]
                    if self.transaction_lifetime
                    else []
                ),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stopped by us, after the services that use it
        )
        if not isinstance(out, int):
            out.close()
        try:
            wait_for_port("127.0.0.1", self.port, timeout=60)
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def __enter__(self) -> EmbeddedMongo:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
