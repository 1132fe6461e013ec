"""When a task template's work falls, by ``dateutil``'s recurrence rules (RFC 5545) in the
complex's local time; Indonesia keeps no daylight saving, so local times are plain."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, rrule

from klustera.operations.models import PatrolRoute, TaskTemplate

F = TaskTemplate.Frequency


def start_hours(at: time, until: time | None, every: int) -> list[int]:
    """The hours an every-N-hours schedule starts at, from ``at`` to ``until`` (past
    midnight when ``until`` is earlier): 22:00 to 05:00 every 2 hours is 22, 0, 2, 4."""
    if until is None:
        return [at.hour]
    span = (until.hour - at.hour) % 24
    return [(at.hour + step) % 24 for step in range(0, span + 1, every)]


def rule(template: TaskTemplate) -> rrule:
    """The template's recurrence from its first day, in naive local time."""
    first = datetime.combine(template.starts_on, template.at)
    minute = template.at.minute
    if template.frequency == F.MONTHLY:
        day = template.day_of_month or 1
        # The 31st in a 30-day month (or February) is the month's last day: the first of
        # "that day or the last" that the month has.
        return rrule(
            MONTHLY,
            dtstart=first,
            bymonthday=(day, -1),
            bysetpos=1,
            byhour=first.hour,
            byminute=minute,
            bysecond=0,
        )
    if template.frequency == F.WEEKDAYS:
        weekdays = sorted({d - 1 for d in template.weekdays}) or list(range(7))
        return rrule(
            DAILY, dtstart=first, byweekday=weekdays, byhour=first.hour, byminute=minute, bysecond=0
        )
    if template.frequency == F.HOURLY:
        hours = start_hours(template.at, template.until, template.every_hours or 1)
        return rrule(DAILY, dtstart=first, byhour=hours, byminute=minute, bysecond=0)
    return rrule(DAILY, dtstart=first, byhour=first.hour, byminute=minute, bysecond=0)


def occurrences(template: TaskTemplate, day: date, zone: ZoneInfo) -> list[datetime]:
    """The starts of the template's work on the local ``day`` (none before its first day)."""
    since = datetime.combine(day, time())
    found = rule(template).between(since, since + timedelta(days=1), inc=True)
    return [moment.replace(tzinfo=zone) for moment in found if moment.date() == day]


def route_starts(route: PatrolRoute, day: date, zone: ZoneInfo) -> list[datetime]:
    """The starts of a route's rounds on the local ``day``: every N hours from its first to
    its last start (a night's rounds after midnight fall on the next day)."""
    first = datetime.combine(route.starts_on, route.at)
    hours = start_hours(route.at, route.until, route.every_hours)
    rounds = rrule(DAILY, dtstart=first, byhour=hours, byminute=route.at.minute, bysecond=0)
    since = datetime.combine(day, time())
    found = rounds.between(since, since + timedelta(days=1), inc=True)
    return [moment.replace(tzinfo=zone) for moment in found if moment.date() == day]
