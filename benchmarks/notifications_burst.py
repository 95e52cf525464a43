"""The issue's full burst: 1,000 events, 10% of them published twice, two
notifications replicas on one database and one queue; exactly one mail per
(event, recipient). The suite runs the same test with 200 events; this runs it
with 1,000 (about 2-3 minutes on the embedded database).

    .venv/bin/python -m benchmarks.notifications_burst
"""

from __future__ import annotations

import os
import sys

import pytest

if __name__ == "__main__":
    os.environ.setdefault("NOTIFICATIONS_BURST_EVENTS", "1000")
    sys.exit(
        pytest.main(
            [
                "tests/integration/notifications/test_notifications_burst.py",
                "--timeout=0",
                "-q",
                *sys.argv[1:],
            ]
        )
    )
