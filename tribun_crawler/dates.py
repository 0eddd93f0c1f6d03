"""Dates as Tribun prints them, read with python-dateutil.

Pages print ``Senin, 4 Mei 2020 04:25 WIB`` (Indonesian day and month names, zone abbreviation), JSON-LD and
``time[datetime]`` carry ISO 8601 with an offset, and listings print zone-less local times
(``2024-01-23 17:01:36``). Everything is returned as an offset-aware ``datetime``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

from dateutil import parser

from tribun_crawler.sites import WIB, ZONE_OFFSETS

# dateutil accepts any number of spellings per day or month; its type stubs only admit pairs.
_WEEKDAYS: list[tuple[str, ...]] = [
    ("Sen", "Senin", "Mon", "Monday"),
    ("Sel", "Selasa", "Tue", "Tuesday"),
    ("Rab", "Rabu", "Wed", "Wednesday"),
    ("Kam", "Kamis", "Thu", "Thursday"),
    ("Jum", "Jumat", "Jum'at", "Fri", "Friday"),
    ("Sab", "Sabtu", "Sat", "Saturday"),
    ("Min", "Minggu", "Ahad", "Sun", "Sunday"),
]
_MONTHS: list[tuple[str, ...]] = [
    ("Jan", "Januari", "January"),
    ("Feb", "Februari", "February"),
    ("Mar", "Maret", "March"),
    ("Apr", "April"),
    ("Mei", "May"),
    ("Jun", "Juni", "June"),
    ("Jul", "Juli", "July"),
    ("Agu", "Agt", "Ags", "Agustus", "Aug", "August"),
    ("Sep", "Sept", "September"),
    ("Okt", "Oktober", "Oct", "October"),
    ("Nov", "Nopember", "November"),
    ("Des", "Desember", "Dec", "December"),
]


class IndonesianParserInfo(parser.parserinfo):
    """dateutil vocabulary for Indonesian day and month names (English names keep working)."""

    JUMP = [*parser.parserinfo.JUMP, "pukul", "jam", "tanggal", "tgl"]
    WEEKDAYS = _WEEKDAYS  # type: ignore[assignment]
    MONTHS = _MONTHS  # type: ignore[assignment]


_PARSER_INFO = IndonesianParserInfo()
# Relative times ("32 menit lalu") carry no year; fuzzy parsing would invent one, so a year is required.
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

# The two shapes nearly every date on the network has, read without dateutil's fuzzy parser (about 20x
# slower, measured in benchmarks/crawl.py); anything else still goes through dateutil.
# ISO 8601 as JSON-LD, meta tags, time[datetime] and listing titles print it.
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?")
# "Senin, 4 Mei 2020 04:25 WIB" as article pages and daily indexes print it.
_VISIBLE = re.compile(
    r"(?:(?P<weekday>[A-Za-z']+),?\s+)?(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4}),?\s+"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s+(?P<zone>[A-Za-z]+))?"
)
_WEEKDAY_NAMES = frozenset(name.lower() for names in _WEEKDAYS for name in names)
_MONTH_NUMBERS = {name.lower(): number for number, names in enumerate(_MONTHS, 1) for name in names}
_ZONES = {name: timezone(timedelta(seconds=seconds), name) for name, seconds in ZONE_OFFSETS.items()}


def _parse_common(text: str, default_tz: tzinfo) -> datetime | None:
    """The ISO or visible date in ``text`` when it is exactly one of those shapes, else None (use dateutil)."""
    if _ISO.fullmatch(text):
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=default_tz)
    match = _VISIBLE.fullmatch(text)
    if match is None:
        return None
    weekday, month, zone = match["weekday"], _MONTH_NUMBERS.get(match["month"].lower()), match["zone"]
    if month is None or (weekday and weekday.lower() not in _WEEKDAY_NAMES):
        return None
    if zone is not None and zone.upper() not in _ZONES:
        return None
    try:
        return datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            tzinfo=_ZONES[zone.upper()] if zone else default_tz,
        )
    except ValueError:
        return None


def parse_date(text: str | None, default_tz: tzinfo = WIB) -> datetime | None:
    """An offset-aware datetime from any date text Tribun prints, or None when it holds no date.

    A zone abbreviation (WIB/WITA/WIT) or an ISO offset in the text wins; otherwise ``default_tz``, the
    site's local zone, is attached.
    """
    if not text or not _HAS_YEAR.search(text):
        return None
    cleaned = " ".join(text.replace("|", " ").split())
    common = _parse_common(cleaned, default_tz)
    if common is not None:
        return common
    try:
        value = parser.parse(cleaned, parserinfo=_PARSER_INFO, tzinfos=ZONE_OFFSETS, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return value


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with the UTC offset and without microseconds, e.g. ``2020-05-04T04:25:00+07:00``."""
    return value.replace(microsecond=0).isoformat() if value else None
