"""The crawl's state: the one component that owns the state store for a crawl.

Spider, state middleware and dedupe pipeline all need what earlier runs emitted; none of them opens the store.
They ask this extension, reached through the crawler as Scrapy's own stats are (``CrawlState.of(crawler)``):

- it opens the store on first use (or when the spider opens, whichever comes first), after emptying it when the
  spider was started with ``-a reset_state=1`` (``tribun/state/reset``), so no reader ever sees the store before
  the reset, whatever order Scrapy opens pipelines, middlewares and spider in;
- it marks the run open in the store and keeps the run's one clock (:attr:`CrawlState.opened_ms`): a record
  written since then is this run's own (or another worker's of it);
- it holds the one rule for fetching a stored article again (:class:`~tribun_crawler.state.runs.RefetchRule`:
  the recheck window, ``TRIBUN_RECHECK_HOURS``, and runs that did not finish) and answers "fetch this URL?"
  (:meth:`CrawlState.decide`), with the sitemap's ``lastmod`` when a sitemap listed it, and otherwise only when
  there is reason to expect a change (:meth:`CrawlState.recheck_due`: an age of ``TRIBUN_RECHECK_AGES`` passed
  since the article's site was last discovered, and never for a site whose sitemaps this run reads, which show
  every change by their ``lastmod``, ``TRIBUN_RECHECK_BY_SITEMAP``);
- it records what the feed received (:meth:`CrawlState.record`) and the old URLs of a stored article; it notes the
  run's local feeds in its marker (:meth:`CrawlState.feed_opened`), and on opening records what a stopped run wrote
  to its feeds without recording it (``state/recovery.py``), before any component asks the store anything;
- it answers what adaptive polling (``polling.py``) needs of a site: when its discovery last ran
  (:meth:`CrawlState.last_discoveries`) and when its recent articles were published
  (:meth:`CrawlState.publish_times`); the spider tells it which sites' discovery pages it read
  (:meth:`CrawlState.polled`), and those are recorded as discovered when the run ``finished`` (a run killed or
  stopped before it fetched what the listings named must not leave its sites looking polled);
- it closes the store when the spider closes, removing the run's marker when the run ``finished``.

docs/architecture.md shows where each component asks it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler

from tribun_crawler import stats as stat
from tribun_crawler.clock import fixed_now
from tribun_crawler.sites import site_key
from tribun_crawler.state import StateStore, open_store, reset_requested
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms
from tribun_crawler.state.recovery import recover_unrecorded_lines
from tribun_crawler.state.runs import FINISHED, Refetch, RefetchRule, new_run_id

logger = logging.getLogger(__name__)


class Verdict(StrEnum):
    """What the store says of a URL about to be requested."""

    NEW = "new"
    """Not stored: fetched."""
    THIS_RUN = "this_run"
    """Recorded by this run (or another worker of it): a repeat, never fetched again in the run."""
    RECENT = Refetch.RECENT.value
    """Stored, published within the recheck window: fetched again, emitted only if it changed."""
    UNFINISHED_RUN = Refetch.UNFINISHED_RUN.value
    """Stored by a run that did not finish: fetched again so that its links are followed."""
    KNOWN = "known"
    """Stored by an earlier run and older than the recheck window: not fetched."""
    KNOWN_ALIAS = "known_alias"
    """An old URL of such an article (one that redirected to it): not fetched."""
    UNCHANGED = "unchanged"
    """Stored, within the window, and the sitemap that lists it shows no change since: not fetched."""
    RECHECK_NOT_DUE = "recheck_not_due"
    """Stored, within the window, named by a listing or link, and nothing says it may have changed since it was
    last read (:meth:`CrawlState.recheck_due`): not fetched."""


_FETCHED = frozenset({Verdict.NEW, Verdict.RECENT, Verdict.UNFINISHED_RUN})


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "fetch this URL?": the verdict, and the stored record it was made from."""

    verdict: Verdict
    record: ArticleRecord | None = None

    @property
    def fetch(self) -> bool:
        return self.verdict in _FETCHED

    @property
    def recheck(self) -> Refetch | None:
        """Why a stored article is fetched again, or None."""
        return Refetch(self.verdict.value) if self.verdict in (Verdict.RECENT, Verdict.UNFINISHED_RUN) else None


class CrawlState:
    """Extension: the crawl's state store, its run marker and clock, and the refetch rule."""

    def __init__(
        self,
        crawler: Crawler,
        *,
        recheck_hours: float,
        recheck_ages: tuple[float, ...] = (),
        recheck_by_sitemap: bool = False,
    ) -> None:
        self.crawler = crawler
        self.recheck_hours = recheck_hours
        self.recheck_ages = recheck_ages
        """``TRIBUN_RECHECK_AGES`` in seconds, ascending; empty: a recent article is rechecked whenever named."""
        self.recheck_by_sitemap = recheck_by_sitemap
        self._sitemap_sites: frozenset[str] = frozenset()
        self._last_looks: dict[str, float] | None = None
        self.run_id = new_run_id()
        self.opened_ms = 0
        """When the store was opened for this run (Unix ms): what is recorded since is this run's."""
        self._store: StateStore | None = None
        self._closed = False
        """Set when the run closed the store: nothing more is noted in it (:meth:`feed_opened`)."""
        self._rule: RefetchRule | None = None
        self._polled: dict[str, datetime] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        state = cls(
            crawler,
            recheck_hours=settings.getfloat("TRIBUN_RECHECK_HOURS"),
            recheck_ages=recheck_ages(settings.getlist("TRIBUN_RECHECK_AGES")),
            recheck_by_sitemap=settings.getbool("TRIBUN_RECHECK_BY_SITEMAP"),
        )
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
        return state

    @staticmethod
    def of(crawler: Crawler) -> CrawlState:
        """The crawl's state component (``tribun_crawler.state.crawl.CrawlState`` in ``EXTENSIONS``)."""
        state = crawler.get_extension(CrawlState)
        if state is None:
            raise RuntimeError("CrawlState is not enabled: add tribun_crawler.state.crawl.CrawlState to EXTENSIONS")
        return state

    # --- Opening and closing ---------------------------------------------------------------------------------

    def spider_opened(self) -> None:
        # A run with nothing to ask the store still marks itself open, so a crash of it is noticed.
        self.open()

    def open(self) -> StateStore:
        """The store, opened (and emptied first when the spider asks for ``reset_state``) on the first call."""
        if self._store is not None:
            return self._store
        store = open_store(self.crawler.settings)
        if reset_requested(self.crawler.spider):
            forgotten = store.count()
            store.reset()
            self.crawler.stats.set_value(stat.STATE_RESET, forgotten)
            logger.info("State reset: %d article(s) forgotten in %s", forgotten, store.describe())
        logger.info("State: %d article(s) known in %s", store.count(), store.describe())
        self.opened_ms = now_ms()
        fixed = fixed_now(self.crawler.settings.get("TRIBUN_NOW"))
        self._rule = RefetchRule.at_open(
            store,
            opened_ms=self.opened_ms,
            recheck_hours=self.recheck_hours,
            fixed_now=fixed.timestamp() if fixed else None,
        )
        # Before anything reads the store, and before this run's feed is opened (a feed written with -O may be the
        # one a killed run left): what a stopped run wrote to its feeds without recording it.
        recovered = recover_unrecorded_lines(store, before=self.opened_ms)
        if recovered:
            self.crawler.stats.set_value(stat.STATE_RECOVERED, len(recovered))
        store.open_run(self.run_id, self.opened_ms)
        if self._rule.unfinished_since is not None:
            since = datetime.fromtimestamp(self._rule.unfinished_since / 1000, UTC).isoformat(timespec="seconds")
            logger.info("Runs opened since %s did not finish: the articles they recorded are read again", since)
        self._store = store
        return store

    def spider_closed(self, reason: str) -> None:
        self.close(reason)

    def close(self, reason: str) -> None:
        """Close the store; a run that ``finished`` removes its marker (any other reason leaves it, so the next
        run reads again what this one recorded)."""
        store, self._store = self._store, None
        self._closed = True
        if store is None:
            return
        try:
            if reason == FINISHED:
                self._record_discoveries(store)
                store.finish_run(self.run_id, self.opened_ms)
        finally:
            store.close()

    def _record_discoveries(self, store: StateStore) -> None:
        for site, when in self._polled.items():
            store.discovered(site, int(when.timestamp()))
        if self._polled:
            self.crawler.stats.set_value(stat.DISCOVERY_RECORDED, len(self._polled))
            logger.info("Discovery recorded for %d site(s): %s", len(self._polled), ", ".join(sorted(self._polled)))

    @property
    def store(self) -> StateStore:
        """The open store, for lookups (:meth:`StateStore.get`, ``find_group``, ``find_body``)."""
        return self.open()

    @property
    def rule(self) -> RefetchRule:
        self.open()
        assert self._rule is not None
        return self._rule

    # --- Questions ---------------------------------------------------------------------------------------------

    def recorded_by_this_run(self, record: ArticleRecord) -> bool:
        return self.rule.recorded_by_this_run(record)

    def decide(self, url: str, *, listed: bool = False, lastmod: datetime | None = None) -> Decision:
        """Whether the article at ``url`` is fetched, from what the store holds under it (or under it as an alias).

        ``listed``: a sitemap lists it, with ``lastmod`` (None in a news sitemap). Within the recheck window the
        sitemap's evidence then decides rather than the article's age: only a ``lastmod`` later than the stored
        ``dateModified`` fetches it again. A news entry has no ``lastmod``; the web sitemap's entry of the same
        article carries the change. An article of a run that did not finish is fetched whatever the sitemap says.
        """
        key = key_fingerprint(url)
        record = self.store.get(key)
        if record is None:
            return Decision(Verdict.NEW)
        if self.rule.recorded_by_this_run(record):
            return Decision(Verdict.THIS_RUN, record)
        reason = self.rule.refetch_reason(record)
        if reason is None:
            return Decision(Verdict.KNOWN if record.key == key else Verdict.KNOWN_ALIAS, record)
        if reason is Refetch.RECENT and listed and not _changed_since_stored(lastmod, record):
            return Decision(Verdict.UNCHANGED, record)
        if reason is Refetch.RECENT and not listed and not self.recheck_due(url, record):
            return Decision(Verdict.RECHECK_NOT_DUE, record)
        return Decision(Verdict(reason.value), record)

    def recheck_due(self, url: str, record: ArticleRecord) -> bool:
        """Whether a recent stored article that a listing or link (not a sitemap) names is read again now.

        A page that names an article says nothing of whether it changed, and a scheduled run meets the same recent
        articles on every run (today's index, the related links of new articles): reading each one every time cost
        some 90 requests per new article (docs/performance.md, "Scheduled runs"). So it is read again only when:

        - its site's sitemaps are not read by this run's discovery (``TRIBUN_RECHECK_BY_SITEMAP``): they list the
          site's recent articles with the ``lastmod`` of their last change, and the sitemap path reads again
          exactly those that changed; and
        - an age of ``TRIBUN_RECHECK_AGES`` (1, 2, 4 … hours after publication: updates come early) was reached
          since its site's discovery last ran, so each age leads to one read, not one per run. A site never
          discovered, or an empty ``TRIBUN_RECHECK_AGES``: every time it is named.
        """
        site = site_key(urlsplit(url).hostname)
        if site is not None and site in self._sitemap_sites:
            return False
        if not self.recheck_ages or record.published is None:
            return True
        if self._last_looks is None:
            self._last_looks = {key: when.timestamp() for key, when in self.last_discoveries().items()}
        last_look = self._last_looks.get(site or "")
        if last_look is None:
            return True
        now = self.rule.now()
        return any(last_look < record.published + age <= now for age in self.recheck_ages)

    def changes_from_sitemaps(self, sites: Iterable[str]) -> None:
        """This run's discovery reads the sitemaps of ``sites``: their changes are taken from the sitemaps'
        ``lastmod`` only (:meth:`recheck_due`), when ``TRIBUN_RECHECK_BY_SITEMAP`` is on."""
        if self.recheck_by_sitemap:
            self._sitemap_sites = frozenset(sites)

    # --- Adaptive polling --------------------------------------------------------------------------------------

    def last_discoveries(self) -> dict[str, datetime]:
        """When each site's discovery last ran (UTC), for the sites ever discovered."""
        return {site: datetime.fromtimestamp(at, UTC) for site, at in self.store.last_discoveries().items()}

    def publish_times(self, site: str, since: datetime) -> list[datetime]:
        """When the site's stored articles published since ``since`` were published (UTC), oldest first."""
        return [datetime.fromtimestamp(at, UTC) for at in self.store.publish_times(site, int(since.timestamp()))]

    def polled(self, site: str, when: datetime) -> None:
        """A discovery page of ``site`` was read in this run, which decided to poll it at ``when`` (the run's clock,
        ``clock.crawl_now``): recorded at close if the run finishes."""
        self._polled.setdefault(site, when)

    # --- Records -----------------------------------------------------------------------------------------------

    def record(self, record: ArticleRecord, aliases: tuple[int, ...] = ()) -> None:
        """Remember an article the feed received (or a dropped copy of one), under its key and ``aliases``."""
        self.store.put(record, aliases)

    def feed_opened(self, path: str, start: int) -> None:
        """This run writes its JSON lines feed to the local file ``path`` (absolute) from byte ``start`` on: noted in
        its marker before the first line, for the recovery of its last line if it is killed
        (``state/recovery.py``).

        Scrapy opens the feed of a run that exported nothing when the spider closes (``FEED_STORE_EMPTY``), after
        this extension closed the store: that file gets no line, and opening the store again would leave a marker
        no one finishes, so that every later run took this one for unfinished."""
        if self._closed:
            return
        self.store.add_run_feed(self.run_id, path, start)

    def add_aliases(self, key: int, aliases: tuple[int, ...]) -> None:
        """More old URLs (their keys) of the stored article ``key``."""
        self.store.add_aliases(key, aliases)


def recheck_ages(values: Iterable[str]) -> tuple[float, ...]:
    """``TRIBUN_RECHECK_AGES`` (hours, e.g. ``["1", "2", "4"]``) in seconds, ascending; a value that is not a
    positive number stops the crawl at start with what was given."""
    ages: list[float] = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            hours = float(text)
        except ValueError:
            hours = math.nan
        if not hours > 0:
            raise ValueError(f"TRIBUN_RECHECK_AGES: {value!r} is not a number of hours above 0")
        ages.append(hours * 3600)
    return tuple(sorted(ages))


def _changed_since_stored(lastmod: datetime | None, record: ArticleRecord) -> bool:
    stored = record.modified or record.published
    if lastmod is None or stored is None:
        return False
    # Sitemaps and pages print minutes, not always seconds: a change is a later minute.
    return int(lastmod.timestamp()) // 60 > stored // 60
