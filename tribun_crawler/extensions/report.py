"""What a run did, for the people and the cron jobs that watch it.

``RunReport``
    At close, one summary in the log and the same as JSON beside every local file feed (``FEEDS`` URI
    ``data/tribun/2024-06-20T12-05-00.jsonl`` → ``data/tribun/2024-06-20T12-05-00.stats.json``) and, when
    set, at ``TRIBUN_REPORT_PATH`` (``%(name)s``, and ``%(time)s`` as the run's start time like the feed's).
    It also decides the exit status of ``scrapy crawl`` (``tribun_crawler.commands.crawl``), from the finish
    reason and, for a run that ran its course, from what it emitted:

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
    ==  ==========================  =================================================================================

    What the run emitted (4, 5) is judged for the runs that ran their course: ``finished``, ``blocked`` and the
    operator's limits; when several apply the lowest of 3, 4, 5 wins. A run cut short (6, 7, 8, the ``no_item``
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
off). They do not change the exit status: RunReport alone decides it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.extensions.logstats import LogStats
from w3lib.url import file_uri_to_path

from tribun_crawler import stats as stat
from tribun_crawler.compat import feed_uris
from tribun_crawler.extensions.network import CLOSE_REASON as NETWORK_DOWN_REASON
from tribun_crawler.extensions.network import NetworkDownMiddleware
from tribun_crawler.extensions.stop import PromptStop
from tribun_crawler.failures import page_failed, report_failed_page
from tribun_crawler.feeds import TIME_FORMAT, path_component
from tribun_crawler.items import ArticleItem
from tribun_crawler.middlewares.blocks import CLOSE_REASON as BLOCKED_REASON
from tribun_crawler.middlewares.coverage import filled_fields
from tribun_crawler.pipelines.validate import REASONS as INVALID_REASONS
from tribun_crawler.pipelines.validate import InvalidArticle

#: Articles whose body the extractor read from the densest text block (the spider counts them).

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_C = TypeVar("_C")

EXIT_OK = 0
#: Scrapy could not start the crawl, the spider never closed (no report), or closed for an unknown reason.
EXIT_FAILED = 1
EXIT_NOT_CLOSED = EXIT_FAILED
EXIT_USAGE = 2
EXIT_BLOCKED = 3
EXIT_NO_ARTICLES = 4
EXIT_LOW_COVERAGE = 5
EXIT_NETWORK_DOWN = 6
EXIT_INTERRUPTED = 7
EXIT_TOO_MANY_ERRORS = 8

#: Finish reasons of runs that ran their course: what they emitted is judged (exit 4, 5). The closespider ones
#: are limits the operator set (CLOSESPIDER_ITEMCOUNT, _PAGECOUNT, _TIMEOUT): reaching one is not a failure.
JUDGED_REASONS = frozenset(
    {"finished", BLOCKED_REASON, "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}
)
#: Finish reasons of runs cut short, with their exit status; content is not judged (the sample is arbitrary).
CUT_SHORT_REASONS = {
    NETWORK_DOWN_REASON: EXIT_NETWORK_DOWN,
    "shutdown": EXIT_INTERRUPTED,
    "closespider_errorcount": EXIT_TOO_MANY_ERRORS,
    # Scrapy's guards against a run that stopped producing items: that is a run emitting no articles.
    "closespider_timeout_no_item": EXIT_NO_ARTICLES,
    "closespider_pagecount_no_item": EXIT_NO_ARTICLES,
}

ARTICLE_FIELDS = tuple(field.name for field in fields(ArticleItem))
COMPRESSION_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".lzma", ".zst"})


def stats_under(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The counters below ``prefix`` (Scrapy's own, ``downloader/response_status_count/`` → ``{"404": 2, …}``)."""
    return stat.Family(prefix).of(stats)


def error_counts(stats: dict[str, Any]) -> dict[str, int]:
    """Errors by kind: the spider's, unreadable pages, HTTP errors, download/spider exceptions, give-ups."""
    errors: dict[str, int] = {}
    for kind, count in stat.ERRORS.of(stats).items():
        errors[kind] = count
    for reason, count in stat.UNREADABLE.of(stats).items():
        errors[f"unreadable/{reason}"] = count
    for status, count in stats_under(stats, "downloader/response_status_count/").items():
        if status.isdigit() and int(status) >= 400:
            errors[f"http/{status}"] = count
    for name, count in stats_under(stats, "downloader/exception_type_count/").items():
        # IgnoreRequest is a decision (robots.txt, a block, the state store), not a failure.
        if not name.endswith("IgnoreRequest"):
            errors[f"download/{name.rsplit('.', 1)[-1]}"] = count
    for name, count in stats_under(stats, "spider_exceptions/").items():
        if name != "count":
            errors[f"spider/{name}"] = count
    if stats.get("retry/max_reached"):
        errors["retry/gave_up"] = stats["retry/max_reached"]
    return errors


def shares(counts: dict[str, int], total: int) -> dict[str, float]:
    """Each article field's count as a share of ``total`` (0.0 for every field when ``total`` is 0)."""
    return {name: round(counts.get(name, 0) / total, 4) if total else 0.0 for name in ARTICLE_FIELDS}


def coverage(stats: dict[str, Any]) -> tuple[int, dict[str, float]]:
    """The articles read and each field's share of them (the report's ``articles_read`` and ``coverage``).

    An article page the spider could not read (``tribun/unreadable/*``) is an article read with none of the fields.
    """
    read = int(stats.get(stat.FIELDS_ITEMS, 0)) + sum(stat.UNREADABLE.of(stats).values())
    return read, shares(stat.FIELDS.of(stats), read)


def low_coverage(
    read: int, coverage: dict[str, float], fields: list[str], minimum: float, min_items: int
) -> dict[str, float]:
    """The watched ``fields`` whose share is under ``minimum``; none when fewer than ``min_items`` were read."""
    if read < max(1, min_items):
        return {}
    return {name: coverage.get(name, 0.0) for name in fields if coverage.get(name, 0.0) < minimum}


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
        self.min_coverage = settings.getfloat("TRIBUN_MIN_COVERAGE")
        self.coverage_fields: list[str] = settings.getlist("TRIBUN_COVERAGE_FIELDS")
        self.coverage_min_items = settings.getint("TRIBUN_COVERAGE_MIN_ITEMS")
        self.failed = FailedPages(per_reason=max(0, settings.getint("TRIBUN_REPORT_FAILED_PAGES")))
        self.exit_code: int | None = None
        """Set when the spider closes; None until then."""
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
        articles = int(stats.get("item_scraped_count", 0))
        pages = stat.PAGES.of(stats)
        fetched = int(stats.get("response_received_count", 0)) - int(stats.get("robotstxt/response_count", 0))
        unreadable = sum(stat.UNREADABLE.of(stats).values())
        read, field_coverage = coverage(stats)
        report: dict[str, Any] = {
            "spider": spider.name,
            "started": _isoformat(stats.get("start_time")),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "finish_reason": reason,
            "exit_code": EXIT_OK,
            "problems": [],
            "pages": {"total": fetched, **pages},
            "articles": articles,
            "articles_read": read,
            "dropped": stat.DROPPED.of(stats),
            "duplicates": stat.DUPLICATES.of(stats),
            "skipped": stat.SKIPPED.of(stats),
            "blocked_hosts": stat.BLOCKED.of(stats),
            "block_dropped": stat.BLOCK_DROPPED.of(stats),
            "errors": error_counts(stats),
            "extract_fallback": int(stats.get(stat.EXTRACT_FALLBACK, 0)),
            "coverage": field_coverage,
            "emitted_coverage": shares(stat.EMITTED_FIELDS.of(stats), articles),
            "failed": self.failed.summary(),
            "monitors": list(self.monitors),
            "stats": {key: _jsonable(value) for key, value in sorted(stats.items())},
        }
        report["exit_code"], report["problems"] = self.judge(report, unreadable)
        return report

    def judge(self, report: dict[str, Any], unreadable: int) -> tuple[int, list[str]]:
        """The exit status of a run and the problems found (module docstring)."""
        codes = self.problems(report, unreadable)
        return min((code for code, _ in codes), default=EXIT_OK), [message for _, message in codes]

    def problems(self, report: dict[str, Any], unreadable: int) -> list[tuple[int, str]]:
        reason = report["finish_reason"]
        if reason not in JUDGED_REASONS:
            code = CUT_SHORT_REASONS.get(reason, EXIT_FAILED)
            return [(code, self.cut_short_problem(reason, report))]
        found = []
        if reason == BLOCKED_REASON:
            hosts = ", ".join(report["blocked_hosts"]) or "every host"
            found.append((EXIT_BLOCKED, f"closed as blocked: {hosts} refused the crawler"))
        no_articles = self.no_articles_problem(report, unreadable)
        if no_articles:
            found.append((EXIT_NO_ARTICLES, no_articles))
        read = report["articles_read"]
        low = low_coverage(read, report["coverage"], self.coverage_fields, self.min_coverage, self.coverage_min_items)
        for name, share in low.items():
            found.append(
                (
                    EXIT_LOW_COVERAGE,
                    f"only {share:.0%} of {read} articles read have {name} "
                    f"(minimum {self.min_coverage:.0%}): has the page template changed?",
                )
            )
        fallback = report.get("extract_fallback", 0)
        if fallback and not (read >= max(1, self.coverage_min_items) and fallback / read > 1 - self.min_coverage):
            # Saved articles, but a template the extractor does not know: worth a look, not a failed run.
            found.append(
                (
                    EXIT_OK,
                    f"{fallback} of {read} articles read had their body read from the page's densest text block",
                )
            )
        if read >= max(1, self.coverage_min_items) and fallback / read > 1 - self.min_coverage:
            # The generic reader saved these articles; the era's selectors found no body in them.
            found.append(
                (
                    EXIT_LOW_COVERAGE,
                    f"{fallback} of {read} articles read had their body read from the page's densest text "
                    "block, not from the known body container: has the page template changed?",
                )
            )
        return found

    def cut_short_problem(self, reason: str, report: dict[str, Any]) -> str:
        """What stopped a run before its course was run."""
        settings = self.crawler.settings
        if reason == NETWORK_DOWN_REASON:
            network = self._component(NetworkDownMiddleware)
            return (network.verdict if network and network.verdict else None) or "network unreachable"
        if reason == "shutdown":
            stop = self._component(PromptStop)
            by = stop.signal_name if stop and stop.signal_name else "a shutdown"
            return f"interrupted by {by} before the end: the next run fetches what is left"
        if reason == "closespider_errorcount":
            return (
                f"too many errors: closed on reaching CLOSESPIDER_ERRORCOUNT "
                f"({settings.getint('CLOSESPIDER_ERRORCOUNT')}); errors: {_counts(report['errors'])}"
            )
        if reason == "closespider_timeout_no_item":
            limit = settings.getint("CLOSESPIDER_TIMEOUT_NO_ITEM")
            return f"no article emitted for {limit} s (CLOSESPIDER_TIMEOUT_NO_ITEM): closed"
        if reason == "closespider_pagecount_no_item":
            limit = settings.getint("CLOSESPIDER_PAGECOUNT_NO_ITEM")
            return f"no article emitted in {limit} pages (CLOSESPIDER_PAGECOUNT_NO_ITEM): closed"
        return f"closed for an unknown reason: {reason}"

    def _component(self, cls: type[_C]) -> _C | None:
        """The run's downloader middleware of class ``cls``, None when not enabled."""
        try:
            return self.crawler.get_downloader_middleware(cls)
        except RuntimeError:  # no engine: the crawl never started
            return None

    @staticmethod
    def no_articles_problem(report: dict[str, Any], unreadable: int) -> str | None:
        """Why a run that fetched pages but emitted no article looks broken, or None when something explains it."""
        pages = report["pages"]["total"]
        if pages == 0 or report["articles"] > 0:
            return None
        invalid = sum(count for reason, count in report["dropped"].items() if reason in INVALID_REASONS)
        found_again = sum(report["duplicates"].values()) + report["dropped"].get("unchanged", 0)
        if unreadable or invalid:
            # Known articles skipped unread do not vouch for the pages that failed: only a read one does.
            if found_again:
                return None
            return (
                f"{pages} pages fetched but no article emitted: of {report['articles_read']} articles read, "
                f"{unreadable} unreadable and {invalid} dropped as invalid"
            )
        shared = report["stats"].get(stat.DISTRIBUTED_FILTERED, 0)
        # Discovery pages unchanged since a finished run read them: nothing new to find there.
        unchanged = report["stats"].get(stat.DISCOVERY_NOT_MODIFIED, 0) + report["stats"].get(
            stat.DISCOVERY_SITEMAP_UNCHANGED, 0
        )
        if found_again or sum(report["skipped"].values()) or shared or unchanged:
            return None
        return f"{pages} pages fetched but no article emitted or recognised"

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
            f"  pages fetched: {_counts(report['pages'])}",
            f"  articles emitted: {report['articles']}",
            f"  dropped: {_counts(report['dropped'])}",
            f"  duplicates: {_counts(report['duplicates'])}",
            f"  skipped: {_counts(report['skipped'])}",
            f"  blocked hosts: {_counts(report['blocked_hosts'])}",
            f"  errors: {_counts(report['errors'])}",
            f"  failed pages: {_counts({'total': report['failed']['total'], **report['failed']['reasons']})}",
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
    stop = report._component(PromptStop)
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


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    total = sum(value for key, value in counts.items() if key != "total")
    parts = ", ".join(f"{key} {value}" for key, value in counts.items() if key != "total")
    return f"{counts.get('total', total)} ({parts})" if parts else str(counts.get("total", total))


def _isoformat(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
