"""Structured logs: one JSON object per event, with its facts as fields."""

from __future__ import annotations

import json
import logging

from publisher.logs import JSONLineFormatter, event


def test_an_event_is_one_json_line_with_its_facts() -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("test.events")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        event(logger, "send finished", send=3, sent=20, publication="新即墨")
        logger.info("uvicorn line", extra={"color_message": "\x1b[36mcolour\x1b[0m"})
    finally:
        logger.removeHandler(handler)
    lines = [JSONLineFormatter().format(r) for r in records]
    assert all("\n" not in line for line in lines)
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "send finished" and first["level"] == "info"
    assert (first["send"], first["sent"], first["publication"]) == (3, 20, "新即墨")
    assert first["time"].endswith("+00:00")
    assert "color_message" not in second
