"""What a run did, for the people and the cron jobs that watch it.

``RunReport``
    At close, one summary in the log and the same as JSON beside every local file feed (``FEEDS`` URI
    ``data/tribun/2024-06-20T12-05-00.jsonl`` → ``data/tribun/2024-06-20T12-05-00.stats.json``) and, when
    set, at ``TRIBUN_REPORT_PATH`` (``%(name)s``, and ``%(time)s`` as the run's start time like the feed's).
    It also decides the exit status of ``scrapy crawl`` (``tribun_crawler.commands.crawl``), from the finish
    reason and, for a run that ran its course, from what it emitted. The rules are the checks of
    ``tribun_crawler.checks`` (which check gives which status: its docstring), shared with the Spidermon
    monitors; the status is the lowest of their findings' but the informational ones' (0), the ``problems``
    their messages (the monitors' alerts only aside):

    ==  ==========================  =================================================================================
    0   ``finished``, limits        the run looks healthy. The limits an operator set (``closespider_itemcount``,
                                    ``closespider_pagecount``, ``closespider_timeout``) exit 0 too, unless 4/5 apply
    1   (none), unknown reason      Scrapy could not start the crawl, the run never closed, or it closed for a
                                    reason not in this table (Scrapy's ``cancelled``, a spider's own ``CloseSpider``)
    2   (none)                      usage error: unknown spider, bad option (Scrapy's own status)
    3   ``blocked``                 **blocked**: every host was blocking the crawler (``middlewares.blocks``)
    4   ``finished``, limits,       **no articles**: pages were fetched but no article was emitted, and nothing
        ``…_no_item`` limits        explains it (below); or ``CLOSESPIDER_TIMEOUT_NO_ITEM`` /
                                    ``CLOSESPIDER_PAGECOUNT_NO_ITEM`` closed a run that stopped emitting articles
    5   ``finished``, limits        **coverage**: fewer than ``TRIBUN_MIN_COVERAGE`` of the articles read have one
                                    of ``TRIBUN_COVERAGE_FIELDS`` (headline, articleBody, datePublished): the site
                                    changed a template. Judged from ``TRIBUN_COVERAGE_MIN_ITEMS`` articles read on
    6   ``network_down``            **network down**: no host could be reached, nothing answered (extensions.network)
    7   ``shutdown``                **interrupted**: SIGTERM or Ctrl-C (``extensions.stop``); also when a second
                                    signal forced the stop before the report was made. The next run fetches the rest
    8   ``closespider_errorcount``  **too many errors**: ``CLOSESPIDER_ERRORCOUNT`` errors in the spider
    9   ``redis_down``              **Redis down**: Redis unreachable for ``TRIBUN_REDIS_GIVE_UP`` seconds; the worker
                                    gave up (``distributed.faults``)
    ==  ==========================  =================================================================================

    What the run emitted (4, 5) is judged for the runs that ran their course: ``finished``, ``blocked`` and the
    operator's limits; when several apply the lowest of 3, 4, 5 wins. A run cut short (6, 7, 8, 9, the ``no_item``
    limits, an unknown reason) exits with its reason's status. The report lists every finding under ``problems``.

    No articles, and what explains it: when article pages were unreadable (``tribun/unreadable/*``) or their
    items invalid (ValidatePipeline's reasons), only an article read and found again explains it: a duplicate
    (``tribun/duplicates/*``) or an unchanged recheck (``tribun/dropped/unchanged``); otherwise a skip does too
    (``tribun/skipped/*``: known, out of the date window), and so do requests the other workers of a
    distributed run already had (``tribun/distributed/filtered``). A scheduled run with nothing new is healthy.

    Field coverage is measured over the **articles read**: every item the spider yielded, counted before the
    pipelines by ``middlewares.coverage.FieldCoverageMiddleware`` (``tribun/fields/items``,
    ``tribun/fields/<field>``), plus every article page it could not read (``tribun/unreadable/*``), which
    has no field. Over emitted articles only, the watched fields would always be filled: ValidatePipeline
    drops the items without them. ``emitted_coverage`` is the same share over the emitted articles, what the
    feed holds (``tribun/emitted_fields/<field>``, counted on ``item_scraped``). A field is filled when not
    None and not empty; ``False`` counts as filled.

``ProgressLog``
    Scrapy's periodic LogStats line (every ``LOGSTATS_INTERVAL``), told in articles, with drops, duplicates,
    errors and blocked hosts. It replaces LogStats in ``EXTENSIONS`` and keeps its end-of-run rates.

Failed pages. Every page the run asked for and got nothing from is reported where it failed
(``tribun_crawler.failures``: HTTP errors, download errors, refused redirects, pages off the network, corrupt,
empty, truncated and unreadable pages) and, for an article whose item ValidatePipeline dropped as invalid, here
(``invalid/<reason>``). The report lists them under ``failed``: every reason with its count, and the pages with
their URL, reason and detail, at most ``TRIBUN_REPORT_FAILED_PAGES`` per reason (the rest only counted under
``omitted``), so a run that meets thousands of errors still writes a small report.

The JSON report (keys are stable; counters absent from the run are empty objects or 0)::

    {"spider", "started", "finished", "finish_reason", "exit_code", "problems": [str],
     "pages": {"total", "<type>": n}, "articles", "articles_read", "dropped": {"<reason>": n},
     "duplicates": {"<kind>": n}, "skipped": {"<reason>": n}, "blocked_hosts": {"<host>": blocks},
     "block_dropped": {"<host>": requests}, "errors": {"<kind>": n},
     "coverage": {"<field>": share of articles read 0..1}, "emitted_coverage": {"<field>": share of emitted 0..1},
     "failed": {"total", "reasons": {"<reason>": n}, "pages": [{"url", "reason", "detail", "page_type"}],
                "omitted": {"<reason>": n}},
     "monitors": [{"name", "status": "passed"|"failed"|"error"|"skipped", "message"}],
     "stats": {all Scrapy stats}}

``monitors`` holds the Spidermon close monitors' results (``tribun_crawler.monitors``; empty when Spidermon is
off). Each monitor runs one of the checks the exit status is made of, so it fails on the same findings; the exit
status does not depend on Spidermon (RunReport runs the checks itself).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.extensions.logstats import LogStats
from w3lib.url import file_uri_to_path

from tribun_crawler import stats as stat
from tribun_crawler.checks import (  # noqa: F401 (EXIT_*, the finish reasons: read from here too)
    ARTICLE_FIELDS,
    CUT_SHORT_REASONS,
    EXIT_BLOCKED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOW_COVERAGE,
    EXIT_NETWORK_DOWN,
    EXIT_NO_ARTICLES,
    EXIT_NOT_CLOSED,
    EXIT_OK,
    EXIT_REDIS_DOWN,
    EXIT_TOO_MANY_ERRORS,
    EXIT_USAGE,
    JUDGED_REASONS,
    Finding,
    Run,
    component,
    counts_text,
    error_counts,
    exit_code,
    problems,
    run_checks,
    shares,
    stats_under,
)
from tribun_crawler.compat import feed_uris
from tribun_crawler.extensions.stop import PromptStop
from tribun_crawler.failures import page_failed, report_failed_page
from tribun_crawler.feeds import TIME_FORMAT, path_component
from tribun_crawler.middlewares.coverage import filled_fields
from tribun_crawler.pipelines.validate import InvalidArticle

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

COMPRESSION_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".lzma", ".zst"})


@dataclass
class FailedPages:
    """The failed pages of a run: counts per reason, and the pages, at most ``per_reason`` of each reason."""

    per_reason: int
    counts: Counter[str] = field(default_factory=Counter)
    pages: list[dict[str, str | None]] = field(default_factory=list)

    def add(self, url: str, reason: str, detail: str = "", page_type: str | None = None) -> None:
        self.counts[reason] += 1
        if self.counts[reason] <= self.per_reason:
            self.pages.append({"url": url, "reason": reason, "detail": detail or None, "page_type": page_type})

    def summary(self) -> dict[str, Any]:
        return {
            "total": sum(self.counts.values()),
            "reasons": dict(sorted(self.counts.items())),
            "pages": list(self.pages),
            "omitted": {
                reason: count - self.per_reason
                for reason, count in sorted(self.counts.items())
                if count > self.per_reason
            },
        }


def local_feed_paths(crawler: Crawler) -> list[Path]:
    """Files the run's local file feeds are written to (stdout, S3, FTP … feeds are not local)."""
    paths = []
    for uri in feed_uris(crawler):
        if PureWindowsPath(uri).drive or urlparse(uri).scheme == "":
            paths.append(Path(uri))
        elif urlparse(uri).scheme == "file":
            paths.append(Path(file_uri_to_path(uri)))
    return paths


def report_path_for_feed(feed: Path) -> Path:
    """``…/<run>.jsonl`` (or ``.jsonl.gz`` …) → ``…/<run>.stats.json``."""
    name = feed.name
    suffix = feed.suffix
    if suffix.lower() in COMPRESSION_SUFFIXES:
        name = name[: -len(suffix)]
        suffix = Path(name).suffix
    if suffix:
        name = name[: -len(suffix)]
    return feed.with_name(f"{name}.stats.json")


class RunReport:
    """At close, the report (log and JSON) and the exit status; counts the fields of emitted articles."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.report_path_template: str = settings.get("TRIBUN_REPORT_PATH") or ""
        self.failed = FailedPages(per_reason=max(0, settings.getint("TRIBUN_REPORT_FAILED_PAGES")))
        self.exit_code: int | None = None
        """Set when the spider closes; None until then."""
        self.findings: list[Finding] = []
        """What the run's checks (``tribun_crawler.checks``) found, set when the spider closes."""
        self.report: dict[str, Any] | None = None
        self.written: list[Path] = []
        self.monitors: list[dict[str, str | None]] = []
        """The close monitors' results (``tribun_crawler.monitors`` puts them here before the report is built)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.page_failed, signal=page_failed)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any, spider: Spider) -> None:
        for name in filled_fields(item):
            self.stats.inc_value(stat.EMITTED_FIELDS(name))

    def page_failed(self, url: str, reason: str, detail: str = "", page_type: str | None = None) -> None:
        self.failed.add(url, reason, detail, page_type)

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Spider) -> None:
        """An article dropped as invalid is a failed page (ValidatePipeline's drop carries its reason)."""
        if isinstance(exception, InvalidArticle):
            url = ItemAdapter(item).get("url") or getattr(response, "url", None) or "<no url>"
            report_failed_page(self.crawler, str(url), f"invalid/{exception.reason}", str(exception), "article")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.report = self.build(spider, reason)
        self.exit_code = self.report["exit_code"]
        self.written = self.write(spider, self.report)
        self.log(self.report)

    # --- Building ------------------------------------------------------------------------------------------

    def build(self, spider: Spider, reason: str) -> dict[str, Any]:
        stats = dict(self.stats.get_stats())
        run = Run.of(stats, reason, self.crawler)
        report: dict[str, Any] = {
            "spider": spider.name,
            "started": _isoformat(stats.get("start_time")),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "finish_reason": reason,
            "exit_code": EXIT_OK,
            "problems": [],
            "pages": {"total": run.pages, **run.page_kinds},
            "articles": run.articles,
            "articles_read": run.articles_read,
            "dropped": run.dropped,
            "duplicates": run.duplicates,
            "skipped": run.skipped,
            "blocked_hosts": run.blocked_hosts,
            "block_dropped": stat.BLOCK_DROPPED.of(stats),
            "errors": run.errors,
            "extract_fallback": run.extract_fallback,
            "coverage": run.coverage,
            "emitted_coverage": shares(stat.EMITTED_FIELDS.of(stats), run.articles),
            "failed": self.failed.summary(),
            "monitors": list(self.monitors),
            "stats": {key: _jsonable(value) for key, value in sorted(stats.items())},
        }
        self.findings = run_checks(run, self.crawler.settings)
        report["exit_code"] = exit_code(self.findings)
        report["problems"] = problems(self.findings)
        return report

    # --- Output --------------------------------------------------------------------------------------------

    def report_paths(self, spider: Spider) -> list[Path]:
        paths = [report_path_for_feed(feed) for feed in local_feed_paths(self.crawler)]
        if self.report_path_template:
            start = self.stats.get_value("start_time") or datetime.now(UTC)
            # -a name=… sets the spider's name: one file name, never a way out of the report's folder.
            params = {"name": path_component(spider.name), "time": start.astimezone(UTC).strftime(TIME_FORMAT)}
            paths.append(Path(self.report_path_template % params))
        return list(dict.fromkeys(paths))

    def write(self, spider: Spider, report: dict[str, Any]) -> list[Path]:
        written = []
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        for path in self.report_paths(spider):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                # The report must not hide the run's outcome: the log summary and the exit status still stand.
                logger.error("Could not write the run report to %s: %s", path, exc)
                self.stats.inc_value(stat.REPORT_NOT_WRITTEN)
                continue
            written.append(path)
        return written

    def log(self, report: dict[str, Any]) -> None:
        lines = [
            f"Run report ({report['finish_reason']}, exit status {report['exit_code']}):",
            f"  pages fetched: {counts_text(report['pages'])}",
            f"  articles emitted: {report['articles']}",
            f"  dropped: {counts_text(report['dropped'])}",
            f"  duplicates: {counts_text(report['duplicates'])}",
            f"  skipped: {counts_text(report['skipped'])}",
            f"  blocked hosts: {counts_text(report['blocked_hosts'])}",
            f"  errors: {counts_text(report['errors'])}",
            f"  failed pages: {counts_text({'total': report['failed']['total'], **report['failed']['reasons']})}",
            f"  coverage of {report['articles_read']} articles read: "
            + (
                ", ".join(f"{name} {share:.0%}" for name, share in report["coverage"].items())
                if report["articles_read"]
                else "none"
            ),
        ]
        lines += [f"  PROBLEM: {problem}" for problem in report["problems"]]
        if self.written:
            lines.append("  written to: " + ", ".join(str(path) for path in self.written))
        logger.log(logging.WARNING if report["problems"] else logging.INFO, "\n".join(lines))


def exit_code_of(crawler: Crawler) -> int:
    """The exit status for a finished crawl; 0 when the report extension is not enabled."""
    report = crawler.get_extension(RunReport)
    if report is None:
        return EXIT_OK
    if report.exit_code is not None:
        return report.exit_code
    # Never closed: a second SIGTERM/Ctrl-C forced the stop (Scrapy's), or something broke.
    stop = component(report.crawler, PromptStop)
    return EXIT_INTERRUPTED if stop is not None and stop.signal_name else EXIT_FAILED


class ProgressLog(LogStats):
    """Scrapy's periodic progress line, in articles, with drops, duplicates, errors and blocked hosts."""

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        stats = self.stats.get_stats()
        logger.info(
            "Crawled %(pages)d pages (at %(pagerate)d pages/min), emitted %(items)d articles "
            "(at %(itemrate)d articles/min); dropped %(dropped)d, duplicates %(duplicates)d, "
            "errors %(errors)d, blocked hosts %(blocked)d",
            {
                "pages": self.pages,
                "pagerate": self.prate,
                "items": self.items,
                "itemrate": self.irate,
                "dropped": sum(stat.DROPPED.of(stats).values()),
                "duplicates": sum(stat.DUPLICATES.of(stats).values()),
                "errors": sum(error_counts(stats).values()),
                "blocked": len(stat.BLOCKED.of(stats)),
            },
            extra={"spider": spider},
        )


def _isoformat(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
