"""Every stat the crawler counts, named once: the components count under these names, the run report reads them.

All live under ``tribun/`` in Scrapy's stats (and so in the run report's ``stats`` and the ``scrapy crawl`` log).
A fixed counter is a constant; a family of counters (one per reason, host, page kind, field …) is a
:class:`Family`, which spells a member (``DROPPED("short_body")`` → ``tribun/dropped/short_body``) and reads the
whole family back from a stats dict (``DROPPED.of(stats)`` → ``{"short_body": 2, …}``). Every name here has a
row in docs/operations.md#stats (``tests/test_docs.py`` checks); a new stat is added here first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "tribun/"


@dataclass(frozen=True)
class Family:
    """Counters under one prefix, one per member (reason, host, kind, field, …)."""

    prefix: str

    def __call__(self, *member: object) -> str:
        """The counter of ``member``; several parts name a member within a member (``HOST_FIELDS(host, "items")``)."""
        return self.prefix + "/".join(str(part) for part in member)

    def of(self, stats: Mapping[str, Any]) -> dict[str, int]:
        """The family's counters in ``stats``, keyed by member (numbers only: a family holds counters)."""
        return {
            key[len(self.prefix) :]: value
            for key, value in sorted(stats.items())
            if key.startswith(self.prefix) and isinstance(value, int) and not isinstance(value, bool)
        }


# --- Pages and articles (spider) -----------------------------------------------------------------------------
#: Responses the spider read, per page kind (``article``, ``article_page``, ``home``, ``section``, ``sitemap`` …).
PAGES = Family("tribun/pages/")
#: Article pages the spider could not read, per reason (``no-headline``, ``no-body``, ``not-html`` …).
UNREADABLE = Family("tribun/unreadable/")
#: Article pages read only by the body fallback (the era's selectors found nothing, the text was found by shape).
EXTRACT_FALLBACK = "tribun/extract/fallback"
#: Articles whose ``?page=all`` the site ignored or that failed, read page by page instead.
ARTICLES_PAGE_ALL_FALLBACK = "tribun/articles/page_all_fallback"
#: Articles whose ``?page=all`` request failed for good (read from their plain URL and ``?page=N`` then).
ARTICLES_PAGE_ALL_FAILED = "tribun/articles/page_all_failed"
#: Multi-page articles put together from their numbered pages.
ARTICLES_STITCHED = "tribun/articles/stitched"
#: Articles emitted without some of their pages (every way to a page failed).
ARTICLES_INCOMPLETE = "tribun/articles/incomplete"
#: Articles whose page shows the day but no time of publication.
ARTICLES_TIME_UNKNOWN = "tribun/articles/time_unknown"
#: Listing pages with no article link.
LISTING_EMPTY = "tribun/listing/empty"
#: Articles reached again by a shorter related-link path (their links followed deeper).
RELATED_REACHED_NEARER = "tribun/related/reached_nearer"
#: Requests not made again because this run asked for them already.
REQUESTS_ASKED_BEFORE = "tribun/requests/asked_before"
#: ``-a urls=`` entries refused (off the network, not http(s)).
START_URLS_REJECTED = "tribun/start_urls/rejected"
#: Requests the spider or the state did not make, per reason (``known``, ``known_alias``, ``recheck_not_due``,
#: ``out_of_window`` …).
SKIPPED = Family("tribun/skipped/")
#: Errors counted without failing a page, per kind (``article/<exception>``, ``sitemap/<problem>`` …).
ERRORS = Family("tribun/errors/")
#: The run report could not be written.
REPORT_NOT_WRITTEN = ERRORS("report_not_written")

# --- Discovery (spider, adaptive polling) -------------------------------------------------------------------
#: Hosts whose discovery this run skipped, per host: not due yet by their publishing rate (polling.py).
DISCOVERY_NOT_DUE = Family("tribun/discovery/not_due/")
#: Hosts whose discovery this run made (due, forced, or adaptive polling off).
DISCOVERY_DUE = "tribun/discovery/due"
#: Hosts whose discovery time this run recorded at its close (a discovery page of theirs was read, the run finished).
DISCOVERY_RECORDED = "tribun/discovery/recorded"

# --- Sitemaps (spider) ---------------------------------------------------------------------------------------
#: Sitemaps requested (``-a discovery=sitemap`` or ``both``).
SITEMAP_REQUESTED = "tribun/sitemap/requested"
#: Sitemaps found in a host's robots.txt.
SITEMAP_FROM_ROBOTS_TXT = "tribun/sitemap/from_robots_txt"
#: Guessed sitemaps a host does not publish (404, 410, or an HTML page): counted, not failures.
SITEMAP_ABSENT = "tribun/sitemap/absent"
#: The same, per HTTP status of the answer (``404``, ``410``): left out of the run's ``http/<status>`` errors.
SITEMAP_ABSENT_STATUS = Family("tribun/sitemap/absent_status/")
#: Article entries read from sitemaps.
SITEMAP_ENTRIES = "tribun/sitemap/entries"
#: Sitemaps read, per kind (``urlset``, ``sitemapindex``, ``news``, ``gzip`` …).
SITEMAP_READ = Family("tribun/sitemap/read/")
#: Sitemap entries not requested, per reason (``known``, ``unchanged``, ``out_of_window`` …).
SITEMAP_SKIPPED = Family("tribun/sitemap/skipped/")
#: Article fields the page lacked and the sitemap entry gave (``datePublished``, ``keywords``).
SITEMAP_FILLED = Family("tribun/sitemap/filled/")

# --- Discovery cache (middlewares/discovery.py) ---------------------------------------------------------------
#: Discovery pages (hubs, daily indexes, sitemaps) answered 304 Not Modified, or a change sitemap not due, and not
#: read again.
DISCOVERY_NOT_MODIFIED = "tribun/discovery/not_modified"
#: Sitemaps an index lists with the ``lastmod`` a finished run saw: not requested.
DISCOVERY_SITEMAP_UNCHANGED = "tribun/discovery/sitemap_unchanged"
#: Sitemaps listing changes only (web sitemaps) not asked for: read less than ``TRIBUN_CHANGE_SITEMAP_INTERVAL``
#: ago while their host's news sitemap lists the new articles; the kept copy stands for them, read as not modified.
DISCOVERY_CHANGE_SITEMAP_NOT_DUE = "tribun/discovery/change_sitemap_not_due"
#: robots.txt files read from the discovery cache because the host answered 5xx or could not be reached.
DISCOVERY_ROBOTS_TXT_FALLBACK = "tribun/discovery/robots_txt_fallback"
#: Hosts whose robots.txt answered 5xx after the retries with no copy kept: every page of it disallowed for the run.
DISCOVERY_ROBOTS_TXT_UNREACHABLE = Family("tribun/discovery/robots_txt_unreachable/")

# --- Fields --------------------------------------------------------------------------------------------------
#: Articles the spider read (``items``) and how many had each field, before any pipeline drops one.
FIELDS = Family("tribun/fields/")
#: Articles the spider read (the denominator of the field coverage).
FIELDS_ITEMS = FIELDS("items")
#: Articles emitted and how many had each field (counted on ``item_scraped``).
EMITTED_FIELDS = Family("tribun/emitted_fields/")
#: Per host: articles read (``<host>/items``, unreadable article pages included), how many had each watched field
#: (``<host>/<field>``, TRIBUN_COVERAGE_FIELDS) and how many had their body read by the fallback
#: (``<host>/body_fallback``). The coverage check judges each host, so one host's new template shows.
HOST_FIELDS = Family("tribun/host_fields/")

# --- Pipelines -----------------------------------------------------------------------------------------------
#: Boilerplate lines NormalizePipeline removed from bodies.
NORMALIZE_LINES_REMOVED = "tribun/normalize/lines_removed"
#: Items dropped, per reason: ValidatePipeline's (``pipelines.validate.REASONS``) and ``unchanged`` rechecks.
DROPPED = Family("tribun/dropped/")
#: Rechecked articles dropped because nothing changed since they were emitted.
DROPPED_UNCHANGED = DROPPED("unchanged")
#: Problems of items against the article's JSON Schema, per top-level field and schema keyword
#: (``datePublished/pattern``, ``authors/type`` …); the items are dropped as ``schema`` unless
#: ``TRIBUN_DROP_SCHEMA_INVALID`` is off.
SCHEMA_ERRORS = Family("tribun/schema_errors/")
#: Items dropped (or emitted with ``duplicateOf``) as copies, per kind (``url``, ``id``, ``syndicated``,
#: ``same_body``).
DUPLICATES = Family("tribun/duplicates/")

# --- State ---------------------------------------------------------------------------------------------------
#: Emitted articles recorded in the state store.
STATE_RECORDED = "tribun/state/recorded"
#: Redirect sources recorded as other URLs of a stored article.
STATE_RECORDED_ALIASES = "tribun/state/recorded_aliases"
#: Copies recorded as duplicates of a stored article (so they are not fetched again).
STATE_RECORDED_DUPLICATES = "tribun/state/recorded_duplicates"
#: Articles a stopped run wrote to its feed but had not recorded, recorded from its feed when a run opens the store
#: (``state/recovery.py``).
STATE_RECOVERED = "tribun/state/recovered"
#: Articles the store forgot at the start of a ``-a reset_state=1`` run.
STATE_RESET = "tribun/state/reset"
#: Stored articles fetched again, young enough to recheck (``TRIBUN_RECHECK_HOURS``).
RECHECK_FETCHED = "tribun/recheck/fetched"
#: Stored articles fetched again because the run that recorded them did not finish.
RECHECK_UNFINISHED_RUN = "tribun/recheck/unfinished_run"
#: Rechecked articles that changed and were emitted again.
RECHECK_UPDATED = "tribun/recheck/updated"

# --- Failures, blocks, politeness, stopping ------------------------------------------------------------------
#: Pages the run asked for and got nothing from, per reason (``http/404``, ``download/<exception>`` …).
FAILED = Family("tribun/failed/")
#: Blocks per host (once per cool-down).
BLOCKED = Family("tribun/blocked/")
#: Requests dropped per blocked host during its cool-down.
BLOCK_DROPPED = Family("tribun/block_dropped/")
#: Pauses of a host after a 429, a 5xx or a timeout.
BACKOFF_COUNT = "tribun/backoff/count"
#: Pauses whose length a Retry-After header set.
BACKOFF_RETRY_AFTER = "tribun/backoff/retry_after"
#: Requests of a distributed run that waited for their host's shared turn (``distributed/pacing.py``).
PACING_WAITED = "tribun/pacing/waited"
#: Milliseconds those requests waited, in all.
PACING_WAIT_MS = "tribun/pacing/wait_ms"
#: robots.txt Crawl-delay per host (seconds).
CRAWL_DELAY = Family("tribun/crawl_delay/")
#: Pages whose charset was guessed as windows-1252.
ENCODING_ASSUMED_CP1252 = "tribun/encoding/assumed_cp1252"
#: Connection errors (no response) per kind, counted towards ``network_down``.
CONNECTION_ERRORS = Family("tribun/connection_errors/")
#: Downloads of a stopping run: ``cancelled``, ``abandoned``, ``requeued``.
STOP = Family("tribun/stop/")

# --- Distributed ---------------------------------------------------------------------------------------------
#: Requests another worker of the shared queue had already asked for.
DISTRIBUTED_FILTERED = "tribun/distributed/filtered"
#: Set to the run id a worker joined.
DISTRIBUTED_RUN = "tribun/distributed/run"
#: Shared queue entries dropped unexecuted: not a request of the JSON serializer (a pickle, garbage) or naming a
#: callback that is no method of the spider.
DISTRIBUTED_BAD_PAYLOAD = "tribun/distributed/bad_payload"
#: Requests not queued because a value they carry cannot travel as JSON (distributed/serializer.py).
DISTRIBUTED_UNSERIALIZABLE = "tribun/distributed/unserializable"
#: Requests leased to a gone worker (no heartbeat) that this worker put back into the shared queue.
DISTRIBUTED_LEASES_RECOVERED = "tribun/distributed/leases_recovered"
#: Requests this worker leased by a take whose answer Redis never sent (it stopped, or the connection broke, after
#: running it), given by the next take under the same lease id (distributed/leases.py).
DISTRIBUTED_LEASES_UNANSWERED = "tribun/distributed/leases_unanswered"
#: Times Redis became unreachable for this worker (distributed/faults.py); each logged at start and at recovery.
DISTRIBUTED_REDIS_OUTAGES = "tribun/distributed/redis_outages"
#: Seconds Redis was unreachable, summed over the outages it came back from.
DISTRIBUTED_REDIS_DOWN_SECONDS = "tribun/distributed/redis_down_seconds"
#: Requests held in memory while Redis was unreachable (pushed to the shared queue once it is back).
DISTRIBUTED_REDIS_HELD = "tribun/distributed/redis_held"
#: Requests held in memory that never reached the shared queue: the worker gave up on Redis (logged).
DISTRIBUTED_REDIS_LOST = "tribun/distributed/redis_lost"
#: Blocks another worker of the run found, taken on by this one, per host (``distributed/blocks.py``).
DISTRIBUTED_BLOCKED = Family("tribun/distributed/blocked/")
