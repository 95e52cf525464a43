"""structlog JSON logging; the service name, event id and correlation id are bound
on every line through contextvars (see `bind_event`). A line never fails on what it
says: text that is not Unicode (a lone surrogate from a request) is written escaped."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog


def _dumps(value: Any, **options: Any) -> str:
    """JSON for a log line, readable in every language (no ASCII escapes) but with
    whatever is not Unicode escaped, so that writing the line cannot fail."""
    options.setdefault("default", str)
    text = json.dumps(value, ensure_ascii=False, **options)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper(), force=True)
    # Route stdlib loggers (uvicorn, faststream, pymongo) through the same JSON renderer.
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(_dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(_dumps),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    logging.getLogger("pymongo").setLevel(logging.WARNING)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)


@contextmanager
def bind_event(event_id: str, event_type: str, correlation_id: str | None) -> Iterator[None]:
    """Bind the event being handled to every log line written inside the block."""
    with structlog.contextvars.bound_contextvars(
        event_id=event_id, event_type=event_type, correlation_id=correlation_id
    ):
        yield
