"""Structured logs: one JSON object per line on stderr, one line per event.

Operators feed these to whatever collects logs; ``event`` names what happened
and the other keys carry its facts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

# Record attributes that are not facts of the event (uvicorn adds an ANSI-coloured copy).
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


class JSONLineFormatter(logging.Formatter):
    """Formats a record as one line of JSON: time, level, logger, event and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    """Send every log record of the service to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Access logs from uvicorn become events like any other.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def event(logger: logging.Logger, name: str, **facts: Any) -> None:
    """Log the event ``name`` with ``facts`` as structured fields."""
    logger.info(name, extra=facts)
