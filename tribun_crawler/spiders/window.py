"""The date window of a run (``-a since=`` / ``-a until=``): which publication days it crawls and emits.

Days are calendar days as the site printed them: a moment's own UTC offset decides its day, not UTC (an article
published 00:30 WIB on the 5th is of the 5th). Open ends are unbounded (``until`` is today for the daily index).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta


def local_day(moment: datetime) -> date:
    """The calendar day as the site printed it (the moment's own offset), not the UTC day."""
    return moment.date()


@dataclass(frozen=True, slots=True)
class DateWindow:
    """Publication days from ``since`` to ``until``, both inclusive; None leaves that end open."""

    since: date | None = None
    until: date | None = None

    def holds_day(self, day: date) -> bool:
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def holds(self, moment: datetime) -> bool:
        return self.holds_day(local_day(moment))

    def holds_publication(self, published: str | None, day: str | None) -> bool:
        """An article published at ``published`` (ISO 8601), or on ``day`` when its page shows no time; one with
        neither is kept (the window loses precision, never the article)."""
        if published:
            return self.holds(datetime.fromisoformat(published))
        return self.holds_day(date.fromisoformat(day)) if day else True

    def before_start(self, moment: datetime | None) -> bool:
        """``moment`` is older than the window: what is listed after it (listings run newest first) is too."""
        return bool(self.since and moment and local_day(moment) < self.since)

    def excludes_entry(self, publication: datetime | None, lastmod: datetime | None) -> bool:
        """A sitemap entry outside the window: by its publication, or by a last change before the window (a page
        is published before it last changes)."""
        if publication is not None:
            return not self.holds(publication)
        return self.before_start(lastmod)

    def ends_before(self, today: date) -> bool:
        """A backfill that ends before today (its listings' first pages hold nothing of it)."""
        return bool(self.until and self.until < today)

    def days(self, today: date) -> Iterator[date]:
        """The days whose daily index is crawled, newest first: the window up to today; today alone without one."""
        day = min(self.until or today, today)
        first = self.since or today
        while day >= first:
            yield day
            day -= timedelta(days=1)
