"""Generate deploy/rabbitmq/definitions.json (the broker's topology) from the code.

    python scripts/generate_rabbitmq_definitions.py [--check]

Which queues exist and what each is bound to comes from the services themselves: each
service's app is built (nothing is started or connected) and its consumers list the event
types they handle. A unit test fails when the committed file is stale.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from pesnet.shared.broker_definitions import topology_definitions
from pesnet.shared.events import CATALOG

OUT = Path(__file__).resolve().parent.parent / "deploy" / "rabbitmq" / "definitions.json"
SERVICES = ("registration", "agenda", "actionplan", "notifications", "identity")
# Building an app constructs (without connecting) its database client: any URL will do.
UNUSED_MONGODB_URL = "mongodb://127.0.0.1:9/?replicaSet=rs0"


def service_consumers() -> dict[str, list[str]]:
    """Consumer queue → the event types it is bound to, over every service that consumes."""
    consumers: dict[str, list[str]] = {}
    for service in SERVICES:
        try:
            bootstrap = importlib.import_module(f"pesnet.{service}.bootstrap")
            settings_module = importlib.import_module(f"pesnet.{service}.settings")
        except ModuleNotFoundError:
            continue  # a service without a bootstrap yet consumes nothing
        # explicit values win over the environment: the file must not depend on the shell
        settings = settings_module.Settings.model_validate(
            {
                "PESNET_ENV": "test",
                "PESNET_SERVICE": service,
                "PESNET_QUEUE": None,
                "MONGODB_URL": UNUSED_MONGODB_URL,
            }
        )
        runtime = bootstrap.build_app(settings).state.runtime
        for consumer in runtime.consumers:
            if consumer.handlers:
                consumers[consumer.name] = sorted(consumer.event_types)
    return dict(sorted(consumers.items()))


def render() -> str:
    definitions: dict[str, Any] = topology_definitions(service_consumers(), CATALOG.public_types())
    return json.dumps(definitions, indent=2, sort_keys=True) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale: run `python scripts/generate_rabbitmq_definitions.py`")
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
