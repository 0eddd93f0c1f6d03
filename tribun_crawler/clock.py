"""The crawl's present moment: the real clock, or a fixed instant for simulations.

``TRIBUN_NOW`` (an ISO 8601 date-time with an offset, e.g. ``2026-12-04T08:15:00+07:00``) fixes what a run takes
as *now*: which day's daily index is today's, where the recheck window ends (``state/runs.py``), and (for the
scheduling of discovery) which hosts are due. It exists for ``benchmarks/schedule.py`` and the tests, which
replay a simulated day one run at a time; a crawl for users leaves it empty and runs on the real clock. Every
reader of the present moment asks :func:`crawl_now`, so a simulated run sees one consistent time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def fixed_now(value: str) -> datetime | None:
    """The instant ``TRIBUN_NOW`` names (``None`` when empty); a value without an offset is refused."""
    if not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        raise ValueError(f"TRIBUN_NOW needs an offset (e.g. +07:00): {value!r}")
    return moment


def crawl_now(settings: BaseSettings) -> datetime:
    """Now, for this crawl: ``TRIBUN_NOW`` when set, else the real clock (always timezone-aware)."""
    return fixed_now(settings.get("TRIBUN_NOW")) or datetime.now(UTC)
