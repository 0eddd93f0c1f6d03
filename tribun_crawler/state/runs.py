"""Run markers, and the one rule for fetching a stored article again.

A run killed (SIGKILL, a crash) or stopped early (SIGINT without ``JOBDIR``) after it emitted an article but
before it fetched the stories only that article links to ("Baca juga", "Berita Terkait") would lose those
stories for good: the next run knows the article and, outside the recheck window, does not read it again, so it
never sees its links. Hence the markers: when a crawl opens it marks itself open in the state store (run id ->
start, Unix milliseconds); when it closes with reason ``finished`` it removes its marker and every marker older
than its own start, as those runs crashed or were stopped and this run has read again what they recorded. The
markers of other runs found when a crawl opens give ``unfinished_since``, the earliest of their starts: an
article recorded since then, before this run opened, is fetched again so that its links are followed, and the
dedupe pipeline emits it again only if it changed. A store without markers behaves as if none of this existed.

In a distributed crawl a clean finish of one worker also clears the markers of the workers that started before
it, running or not: a worker that dies after another finished loses the links of the articles it recorded since
that one opened.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from tribun_crawler.state.base import StateStore
from tribun_crawler.state.records import ArticleRecord

#: The finish reason after which a run's marker (and older ones) are removed: the crawl ran out of requests.
FINISHED = "finished"


class Refetch(StrEnum):
    """Why a stored article is fetched again."""

    UNFINISHED_RUN = "unfinished_run"
    """Recorded by a run that did not finish: its links may never have been followed."""
    RECENT = "recent"
    """Published within ``TRIBUN_RECHECK_HOURS``: it may have been updated."""


def new_run_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class RefetchRule:
    """When an article the state store knows is fetched again, for one run (its middleware and its spider)."""

    opened_ms: int
    """When the run opened, Unix milliseconds: what it recorded since is its own."""
    recheck_seconds: float
    """``TRIBUN_RECHECK_HOURS`` in seconds."""
    unfinished_since: int | None = None
    """Start of the earliest run that opened before this one and has not finished, Unix milliseconds."""
    fixed_now: float | None = None
    """The crawl's fixed present (``TRIBUN_NOW``, Unix seconds) the recheck window is measured from; None: the
    real clock. A simulated run (``benchmarks/schedule.py``) rechecks what is recent at its own clock."""

    @classmethod
    def at_open(
        cls, store: StateStore, *, opened_ms: int, recheck_hours: float, fixed_now: float | None = None
    ) -> RefetchRule:
        """The rule of a run opened at ``opened_ms``, from the markers of the runs opened before it.

        A marker of the same millisecond counts as earlier: at worst this run's own, which then covers nothing.
        """
        earliest = min((started for started in store.open_runs().values() if started <= opened_ms), default=None)
        return cls(
            opened_ms=opened_ms, recheck_seconds=recheck_hours * 3600, unfinished_since=earliest, fixed_now=fixed_now
        )

    def now(self) -> float:
        """Unix seconds the recheck window ends at: the fixed present of a simulated run, else the real clock."""
        return time.time() if self.fixed_now is None else self.fixed_now

    def recorded_by_this_run(self, record: ArticleRecord) -> bool:
        return record.recorded >= self.opened_ms

    def refetch_reason(self, record: ArticleRecord) -> Refetch | None:
        """Why the stored ``record`` is fetched again, or None: it is not (this run's own, or known and old)."""
        if self.recorded_by_this_run(record):
            return None
        # Asked first: a recent article of an unfinished run needs its links followed, whatever its dates say
        # (the sitemap path skips a recent article whose lastmod shows no change).
        if self.unfinished_since is not None and record.recorded >= self.unfinished_since:
            return Refetch.UNFINISHED_RUN
        # 0 turns rechecks off, also for an article dated in the future (a clock ahead of this machine's).
        if (
            self.recheck_seconds > 0
            and record.published is not None
            and self.now() - record.published < self.recheck_seconds
        ):
            return Refetch.RECENT
        return None
