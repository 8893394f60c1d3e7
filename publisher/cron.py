"""Cron expressions with crontab's meaning, for APScheduler 3.

APScheduler 3 reads a numeric day of week with 0 as Monday, while crontab (and
every editor who writes ``0 7 * * 1-5``) means 0 as Sunday. Its own
``from_crontab`` keeps that mismatch for compatibility, so an unconverted
"weekdays" schedule would run Tuesday to Saturday. Here the day-of-week field is
expanded to day names, which both agree on.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(expression: str, timezone: tzinfo) -> CronTrigger:
    """A trigger for a five-field crontab expression; ValueError if it is not one."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=timezone,
    )


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as APScheduler day names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for item in field.lower().split(","):
        days |= _expand(item)
    return ",".join(_NAMES[d] for d in sorted(days))


def _expand(item: str) -> set[int]:
    span, _, step_text = item.partition("/")
    step = int(step_text) if step_text else 1
    if step < 1:
        raise ValueError(f"bad step in day of week {item!r}")
    if span == "*":
        first, last = 0, 6
    elif "-" in span:
        a, b = span.split("-", 1)
        first, last = _day(a), _day(b)
        if last == 0 and first > 0:
            last = 7  # "5-7" and "fri-sun": through Sunday
    else:
        first = last = _day(span)
    if first > last:
        raise ValueError(f"day-of-week range {item!r} runs backwards")
    return {d % 7 for d in range(first, last + 1, step)}


def _day(text: str) -> int:
    if text in _NAMES:
        return _NAMES.index(text)
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text) % 7 if int(text) != 7 else 7
    raise ValueError(f"bad day of week {text!r}")
