"""Generate the JSON Schemas and the AsyncAPI document from the event catalog
(pesnet.shared.eventdocs builds both; notifications serves the public part).

`make schemas` writes docs/events/; a test fails when the committed files are
stale, so the published contract never drifts from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pesnet.shared.catalog import EventCatalog
from pesnet.shared.eventdocs import build_event_docs
from pesnet.shared.events import CATALOG

OUT = Path(__file__).resolve().parent.parent / "docs" / "events"


def render(catalog: EventCatalog = CATALOG) -> dict[Path, str]:
    docs = build_event_docs(catalog)
    files = {
        OUT / "schemas" / f"{spec.type}.v{spec.version}.json": json.dumps(
            docs.schemas[spec.type], indent=2, ensure_ascii=False, sort_keys=True
        )
        + "\n"
        for spec in docs.specs
    }
    files[OUT / "asyncapi.json"] = json.dumps(docs.asyncapi, indent=2, ensure_ascii=False) + "\n"
    return files


def main() -> int:
    files = render()
    if "--check" in sys.argv:
        stale = [str(p) for p, text in files.items() if not p.exists() or p.read_text() != text]
        extra = {p for p in (OUT / "schemas").glob("*.json")} - set(files)
        if stale or extra:
            print("docs/events is stale; run `make schemas`:", *stale, *map(str, extra), sep="\n  ")
            return 1
        return 0
    (OUT / "schemas").mkdir(parents=True, exist_ok=True)
    for old in (OUT / "schemas").glob("*.json"):
        if old not in files:
            old.unlink()
    for path, text in files.items():
        path.write_text(text)
    print(f"wrote {len(files)} files under {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
