"""Cron expressions keep crontab's meaning (0 and 7 are Sunday) under APScheduler 3."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from publisher.cron import cron_trigger, crontab_weekdays

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("sat,sun", "sun,sat"),
        ("*", "*"),
    ],
)
def test_weekday_fields(field: str, names: str) -> None:
    assert crontab_weekdays(field) == names


def test_weekdays_schedule_skips_the_weekend_in_the_publication_time_zone() -> None:
    trigger = cron_trigger("0 7 * * 1-5", SHANGHAI)
    friday_noon = dt.datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)
    assert trigger.get_next_fire_time(None, friday_noon) == dt.datetime(
        2026, 11, 30, 7, 0, tzinfo=SHANGHAI
    )


@pytest.mark.parametrize("expression", ["0 7 * *", "0 7 * * 8", "0 7 * * 5-1", "x 7 * * *"])
def test_bad_expressions(expression: str) -> None:
    with pytest.raises(ValueError):
        cron_trigger(expression, SHANGHAI)
