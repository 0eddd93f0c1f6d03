"""The checks of a run: one set of rules, for the exit status of ``scrapy crawl`` and for Spidermon's monitors.

Each check is a function over the run's facts (:class:`Run`, read from its stats) and the settings that returns
its findings as data, :class:`Finding` (the check's name, an exit status, a message). ``RunReport``
(``tribun_crawler.extensions.report``) runs every check of :data:`CHECKS` when the spider closes: the exit status
is the lowest of the findings' (``EXIT_OK`` without any), the report's ``problems`` their messages in this order.
Each monitor of ``tribun_crawler.monitors`` runs one check and fails with its findings' messages, so an alert and
the exit status come from the same verdict; the exit status does not depend on Spidermon being enabled.

==========================  ===============================================================================
check                       findings
==========================  ===============================================================================
``finish_reason``           a run cut short: its reason's status (:data:`CUT_SHORT_REASONS`: 6 network down,
                            7 interrupted, 8 too many errors, 9 Redis down, 4 the ``…_no_item`` limits), 1 an
                            unknown reason
``blocked``                 3 closed as blocked; 0 (an alert only) hosts blocked in a run that went on without
                            them
``no_articles``             4 pages fetched but no article emitted, and nothing explains it; 0 (a notice, no
                            alert) when a limit the operator set closed the run with requests still queued
                            and no callback raised
``coverage``                5 a watched field under ``TRIBUN_MIN_COVERAGE`` of the articles read, or more than
                            ``1 - TRIBUN_MIN_COVERAGE`` of them read by the body fallback: per host (naming
                            it, when low beyond sampling noise; hosts with ``TRIBUN_COVERAGE_MIN_ITEMS`` articles
                            read or more), and for the hosts not named, together; 0 (a notice, no alert) a
                            few read by the body fallback
``failed_pages``            0 (an alert only): more than ``TRIBUN_MAX_FAILED_RATIO`` of the pages asked for failed.
                            Informational: no documented status fits (failed pages are no broken run by
                            themselves; the run's other checks judge what it emitted)
==========================  ===============================================================================

The content checks (``blocked``, ``no_articles``, ``coverage``, ``failed_pages``) judge the runs that ran their
course (:data:`JUDGED_REASONS`) and a run still going (no finish reason yet, the periodic monitors); a run cut
short is judged by its finish reason alone.

A finding of exit status 0 is informational: it never changes the exit status, nor hides a failure. Two kinds:
a notice of the report (``alert`` false: listed under ``problems``, the monitor running the check does not fail
on it; a few body fallbacks) and an alert only (``problem`` false: the monitor fails and alerts, the report's
``problems`` leave it out, its numbers are in the report's ``blocked_hosts`` and ``failed``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from tribun_crawler import stats as stat
from tribun_crawler.distributed.faults import REDIS_DOWN_REASON
from tribun_crawler.extensions.network import CLOSE_REASON as NETWORK_DOWN_REASON
from tribun_crawler.extensions.network import NetworkDownMiddleware
from tribun_crawler.extensions.stop import PromptStop
from tribun_crawler.items import ArticleItem
from tribun_crawler.middlewares.blocks import CLOSE_REASON as BLOCKED_REASON
from tribun_crawler.pipelines.validate import REASONS as INVALID_REASONS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

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
#: Redis (shared queue, state) unreachable longer than ``TRIBUN_REDIS_GIVE_UP``: not the sites' network (6).
EXIT_REDIS_DOWN = 9

#: Finish reasons of runs that ran their course: what they emitted is judged (exit 4, 5). The closespider ones
#: are limits the operator set (CLOSESPIDER_ITEMCOUNT, _PAGECOUNT, _TIMEOUT): reaching one is not a failure.
JUDGED_REASONS = frozenset(
    {"finished", BLOCKED_REASON, "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}
)
#: The limits of JUDGED_REASONS: a run they closed with requests still queued stopped before it could emit.
LIMIT_REASONS = frozenset({"closespider_itemcount", "closespider_pagecount", "closespider_timeout"})
#: Finish reasons of runs cut short, with their exit status; content is not judged (the sample is arbitrary).
CUT_SHORT_REASONS = {
    NETWORK_DOWN_REASON: EXIT_NETWORK_DOWN,
    "shutdown": EXIT_INTERRUPTED,
    "closespider_errorcount": EXIT_TOO_MANY_ERRORS,
    REDIS_DOWN_REASON: EXIT_REDIS_DOWN,
    # Scrapy's guards against a run that stopped producing items: that is a run emitting no articles.
    "closespider_timeout_no_item": EXIT_NO_ARTICLES,
    "closespider_pagecount_no_item": EXIT_NO_ARTICLES,
}

ARTICLE_FIELDS = tuple(item_field.name for item_field in fields(ArticleItem))


@dataclass(frozen=True)
class Finding:
    """What a check found: the check's name, the exit status it asks for, and the message naming the numbers."""

    check: str
    exit_code: int
    message: str
    #: False for a notice of the report only: the monitor running the check does not fail on it.
    alert: bool = True
    #: False for an alert only: the report's ``problems`` leave it out (an informational finding of the monitors).
    problem: bool = True


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
    # A sitemap name looked for that the host does not publish is an answer, not an error (tribun/sitemap/absent).
    absent = stat.SITEMAP_ABSENT_STATUS.of(stats)
    for status, count in stats_under(stats, "downloader/response_status_count/").items():
        if status.isdigit() and int(status) >= 400 and count > absent.get(status, 0):
            errors[f"http/{status}"] = count - absent.get(status, 0)
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


def articles_read(stats: dict[str, Any]) -> int:
    """The articles the spider read (the report's ``articles_read``): its items, and the article pages it could
    not read (``tribun/unreadable/*``), each an article read with none of the fields."""
    return int(stats.get(stat.FIELDS_ITEMS, 0)) + sum(stat.UNREADABLE.of(stats).values())


@dataclass(frozen=True)
class HostCoverage:
    """One host's articles read, how many had each watched field, how many were read by the body fallback."""

    read: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    body_fallback: int = 0

    def share(self, name: str) -> float:
        return self.fields.get(name, 0) / self.read if self.read else 0.0


def host_coverage(stats: dict[str, Any]) -> dict[str, HostCoverage]:
    """Per host (sorted), the counts of ``tribun/host_fields/<host>/…``."""
    counts: dict[str, dict[str, int]] = {}
    for member, count in stat.HOST_FIELDS.of(stats).items():
        host, _, name = member.rpartition("/")
        counts.setdefault(host, {})[name] = count
    return {
        host: HostCoverage(
            read=named.pop("items", 0),
            body_fallback=named.pop("body_fallback", 0),
            fields=named,
        )
        for host, named in sorted(counts.items())
    }


@dataclass(frozen=True)
class Run:
    """What the checks read of a run: its finish reason (None while it runs) and the counts of its stats."""

    reason: str | None
    #: Pages fetched (``response_received_count``, robots.txt aside).
    pages: int = 0
    #: Pages read by kind (``tribun/pages/*``).
    page_kinds: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    articles_read: int = 0
    unreadable: int = 0
    #: Articles read with each field filled (``tribun/fields/*``).
    filled: dict[str, int] = field(default_factory=dict)
    extract_fallback: int = 0
    #: Per host, the watched fields' counts (``tribun/host_fields/*``).
    hosts: dict[str, HostCoverage] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    distributed_filtered: int = 0
    #: Requests left in the run's queue (``scheduler/enqueued`` less ``scheduler/dequeued``, the local queue's).
    queued: int = 0
    #: Discovery pages answered 304 and not read again, and indexed sitemaps not asked for at an unchanged lastmod
    #: (``middlewares/discovery.py``): nothing new there since a finished run read them.
    discovery_unchanged: int = 0
    #: Of those, the pages answered 304 (asked for, not read).
    not_modified: int = 0
    blocked_hosts: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    #: Errors by kind, for the message of a run closed on too many errors (the report's ``errors``).
    errors: dict[str, int] = field(default_factory=dict)
    #: NetworkDownMiddleware's verdict, when it closed the run.
    network_verdict: str | None = None
    #: The signal PromptStop stopped the run on (SIGTERM, SIGINT), when it did.
    stopped_by: str | None = None

    @classmethod
    def of(cls, stats: dict[str, Any], reason: str | None = None, crawler: Crawler | None = None) -> Run:
        """The run of ``stats``; ``reason`` defaults to the stats' ``finish_reason`` (None while the run goes on)."""
        network = component(crawler, NetworkDownMiddleware)
        stop = component(crawler, PromptStop)
        return cls(
            reason=reason if reason is not None else stats.get("finish_reason"),
            pages=int(stats.get("response_received_count", 0)) - int(stats.get("robotstxt/response_count", 0)),
            page_kinds=stat.PAGES.of(stats),
            articles=int(stats.get("item_scraped_count", 0)),
            articles_read=articles_read(stats),
            unreadable=sum(stat.UNREADABLE.of(stats).values()),
            filled=stat.FIELDS.of(stats),
            extract_fallback=int(stats.get(stat.EXTRACT_FALLBACK, 0)),
            hosts=host_coverage(stats),
            dropped=stat.DROPPED.of(stats),
            duplicates=stat.DUPLICATES.of(stats),
            skipped=stat.SKIPPED.of(stats),
            distributed_filtered=int(stats.get(stat.DISTRIBUTED_FILTERED, 0)),
            queued=max(0, int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0))),
            discovery_unchanged=int(stats.get(stat.DISCOVERY_NOT_MODIFIED, 0))
            + int(stats.get(stat.DISCOVERY_SITEMAP_UNCHANGED, 0)),
            not_modified=int(stats.get(stat.DISCOVERY_NOT_MODIFIED, 0)),
            blocked_hosts=stat.BLOCKED.of(stats),
            failed=stat.FAILED.of(stats),
            errors=error_counts(stats),
            network_verdict=network.verdict if network is not None else None,
            stopped_by=stop.signal_name if stop is not None else None,
        )

    @property
    def coverage(self) -> dict[str, float]:
        """Each article field's share of the articles read (the report's ``coverage``)."""
        return shares(self.filled, self.articles_read)

    @property
    def judged(self) -> bool:
        """A run that ran its course, or one still going: what it emitted is judged."""
        return self.reason is None or self.reason in JUDGED_REASONS


def component(crawler: Crawler | None, cls: type[_C]) -> _C | None:
    """The run's downloader middleware of class ``cls``, None when not enabled."""
    if crawler is None:
        return None
    try:
        return crawler.get_downloader_middleware(cls)
    except RuntimeError:  # no engine: the crawl never started
        return None


Check = Callable[[Run, "BaseSettings"], list[Finding]]


def finish_reason(run: Run, settings: BaseSettings) -> list[Finding]:
    """A run cut short: its reason's exit status (:data:`CUT_SHORT_REASONS`), 1 for an unknown reason."""
    reason = run.reason
    if run.judged or reason is None:
        return []
    code = CUT_SHORT_REASONS.get(reason, EXIT_FAILED)
    if reason == NETWORK_DOWN_REASON:
        message = run.network_verdict or "network unreachable"
    elif reason == "shutdown":
        by = run.stopped_by or "a shutdown"
        message = f"interrupted by {by} before the end: the next run fetches what is left"
    elif reason == "closespider_errorcount":
        message = (
            f"too many errors: closed on reaching CLOSESPIDER_ERRORCOUNT "
            f"({settings.getint('CLOSESPIDER_ERRORCOUNT')}); errors: {counts_text(run.errors)}"
        )
    elif reason == REDIS_DOWN_REASON:
        message = (
            f"Redis unreachable for {settings.getfloat('TRIBUN_REDIS_GIVE_UP'):.0f} s (TRIBUN_REDIS_GIVE_UP): the "
            "worker gave up; its leased requests go back to the shared queue through the other workers"
        )
    elif reason == "closespider_timeout_no_item":
        limit = settings.getint("CLOSESPIDER_TIMEOUT_NO_ITEM")
        message = f"no article emitted for {limit} s (CLOSESPIDER_TIMEOUT_NO_ITEM): closed"
    elif reason == "closespider_pagecount_no_item":
        limit = settings.getint("CLOSESPIDER_PAGECOUNT_NO_ITEM")
        message = f"no article emitted in {limit} pages (CLOSESPIDER_PAGECOUNT_NO_ITEM): closed"
    else:
        message = f"closed for an unknown reason: {reason}"
    return [Finding("finish_reason", code, message)]


def blocked(run: Run, settings: BaseSettings) -> list[Finding]:
    """3 when every host was blocking the crawler (``middlewares.blocks`` closed the run); an alert only (0) naming
    the hosts that blocked it in a run that went on with the others."""
    if run.reason == BLOCKED_REASON:
        hosts = ", ".join(run.blocked_hosts) or "every host"
        return [Finding("blocked", EXIT_BLOCKED, f"closed as blocked: {hosts} refused the crawler")]
    if run.judged and run.blocked_hosts:
        hosts = ", ".join(f"{host} ({n} blocks)" for host, n in run.blocked_hosts.items())
        message = f"{len(run.blocked_hosts)} hosts blocked the crawler: {hosts}"
        return [Finding("blocked", EXIT_OK, message, problem=False)]
    return []


def no_articles(run: Run, settings: BaseSettings) -> list[Finding]:
    """4 when pages were fetched but no article emitted, and nothing explains it; a notice only (0) when a limit
    the operator set (CLOSESPIDER_PAGECOUNT, _TIMEOUT) closed the run with requests still queued, no page failing.

    When article pages were unreadable or their items invalid, only an article read and found again explains it
    (a duplicate, an unchanged recheck); otherwise a skip does too, and so do requests the other workers of a
    distributed run already had.
    """
    if not run.judged or run.pages == 0 or run.articles > 0:
        return []
    invalid = sum(count for reason, count in run.dropped.items() if reason in INVALID_REASONS)
    found_again = sum(run.duplicates.values()) + run.dropped.get("unchanged", 0)
    if run.unreadable or invalid:
        # Known articles skipped unread do not vouch for the pages that failed: only a read one does.
        if found_again:
            return []
        message = (
            f"{run.pages} pages fetched but no article emitted: of {run.articles_read} articles read, "
            f"{run.unreadable} unreadable and {invalid} dropped as invalid"
        )
        return [Finding("no_articles", EXIT_NO_ARTICLES, message)]
    # A run with nothing new: its articles found again, skipped as known, taken by another worker, or its discovery
    # pages unchanged since a finished run read them.
    if found_again or sum(run.skipped.values()) or run.distributed_filtered or run.discovery_unchanged:
        return []
    crashed = any(kind.startswith("spider/") for kind in run.errors)
    if run.reason in LIMIT_REASONS and run.queued and not crashed:
        # The operator's limit came before the first article (a page limit spent on sitemaps): a notice, not 4.
        # Pages whose callback raised are no such excuse: that is a run failing, cut short.
        message = (
            f"{run.pages} pages fetched but no article emitted: {run.reason} closed the run "
            f"with {run.queued} requests still queued"
        )
        return [Finding("no_articles", EXIT_OK, message, alert=False)]
    return [Finding("no_articles", EXIT_NO_ARTICLES, f"{run.pages} pages fetched but no article emitted or recognised")]


def field_coverage(run: Run, settings: BaseSettings) -> list[Finding]:
    """5 for each host with a watched field in too few of its articles read, or too many read by the body
    fallback, beyond sampling noise (:func:`wilson_upper`: the host has changed its template); 5 for the rest of
    the run (every host when none was named) when its share is low too (hosts each with too few articles to judge
    alone); a notice (0, no alert) naming a few read by the body fallback."""
    if not run.judged:
        return []
    minimum = settings.getfloat("TRIBUN_MIN_COVERAGE")
    min_items = max(1, settings.getint("TRIBUN_COVERAGE_MIN_ITEMS"))
    watched = settings.getlist("TRIBUN_COVERAGE_FIELDS")
    found: list[Finding] = []
    # Per measure (a field, or the body fallback), the hosts already named for it.
    named: dict[str, set[str]] = {}
    for host, counts in run.hosts.items():
        if counts.read < min_items:
            continue
        for name in watched:
            share = counts.share(name)
            if wilson_upper(counts.fields.get(name, 0), counts.read) < minimum:
                named.setdefault(name, set()).add(host)
                message = (
                    f"{host or 'no host'}: only {share:.0%} of {counts.read} articles read have {name} "
                    f"(minimum {minimum:.0%}): has the page template changed?"
                )
                found.append(Finding("coverage", EXIT_LOW_COVERAGE, message))
        if wilson_upper(counts.read - counts.body_fallback, counts.read) < minimum:
            named.setdefault(FALLBACK, set()).add(host)
            message = (
                f"{host or 'no host'}: articleBody of {counts.body_fallback} of {counts.read} articles read came "
                "from the page's densest text block, not from the known body container: has the page template "
                "changed?"
            )
            found.append(Finding("coverage", EXIT_LOW_COVERAGE, message))
    for name in watched:
        read, filled = rest_of_run(run, named.get(name, set()), name)
        if read >= min_items and filled / read < minimum:
            where = " on the other hosts" if named.get(name) else ""
            message = (
                f"only {filled / read:.0%} of {read} articles read{where} have {name} "
                f"(minimum {minimum:.0%}): has the page template changed?"
            )
            found.append(Finding("coverage", EXIT_LOW_COVERAGE, message))
    read, fallback = rest_of_run(run, named.get(FALLBACK, set()), FALLBACK)
    where = " on the other hosts" if named.get(FALLBACK) else ""
    many = read >= min_items and fallback / read > 1 - minimum
    if many:
        # The generic reader saved these articles; the era's selectors found no body in them.
        message = (
            f"{fallback} of {read} articles read{where} had their body read from the page's densest text "
            "block, not from the known body container: has the page template changed?"
        )
        found.append(Finding("coverage", EXIT_LOW_COVERAGE, message))
    elif fallback and not named.get(FALLBACK):
        # Saved articles, but a template the extractor does not know: worth a look, not a failed run.
        message = f"{fallback} of {read} articles read had their body read from the page's densest text block"
        found.append(Finding("coverage", EXIT_OK, message, alert=False))
    return found


#: z of a two-sided 95 % interval (see :func:`wilson_upper`).
Z_95 = 1.96


def wilson_upper(hits: int, total: int, z: float = Z_95) -> float:
    """The upper bound of the Wilson score interval of the share ``hits / total``.

    A host is named when even this bound is under the minimum: its share is low beyond sampling noise. A template
    change takes a host's share to about 0 and is named from ``TRIBUN_COVERAGE_MIN_ITEMS`` articles on (0 of 10:
    bound 0.28), while 3 odd pages among 14 (share 0.79, bound 0.92) are no finding of their own; across sixty
    hosts a plain share would name some small host on most runs. (Wilson, 1927; Agresti & Coull, 1998.)
    """
    if total <= 0:
        return 1.0
    share = hits / total
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return (share + z * z / (2 * total) + spread) / (1 + z * z / total)


#: The measure of :func:`field_coverage` that counts bodies read by the fallback.
FALLBACK = "body_fallback"


def rest_of_run(run: Run, named: set[str], measure: str) -> tuple[int, int]:
    """Articles read and how many count for ``measure`` (a field filled, or a body fallback), over the run but the
    ``named`` hosts: the run's own counters when no host is named, so an item without a host still counts."""
    read = run.articles_read
    count = run.extract_fallback if measure == FALLBACK else run.filled.get(measure, 0)
    for host in named:
        counts = run.hosts[host]
        read -= counts.read
        count -= counts.body_fallback if measure == FALLBACK else counts.fields.get(measure, 0)
    return read, count


def failed_pages(run: Run, settings: BaseSettings) -> list[Finding]:
    """An alert only (0): more than ``TRIBUN_MAX_FAILED_RATIO`` of the pages asked for (read, plus failed) failed."""
    if not run.judged:
        return []
    failed = sum(run.failed.values())
    # Asked for: read, failed, or answered 304 and not read again.
    asked = sum(run.page_kinds.values()) + failed + run.not_modified
    maximum = settings.getfloat("TRIBUN_MAX_FAILED_RATIO")
    if not asked or failed / asked <= maximum:
        return []
    reasons = ", ".join(f"{reason} {n}" for reason, n in run.failed.items())
    message = f"{failed} of {asked} pages failed ({failed / asked:.0%}, maximum {maximum:.0%}): {reasons}"
    return [Finding("failed_pages", EXIT_OK, message, problem=False)]


#: Every check, in the order of the report's ``problems``.
CHECKS: tuple[Check, ...] = (finish_reason, blocked, no_articles, field_coverage, failed_pages)


def run_checks(run: Run, settings: BaseSettings, checks: tuple[Check, ...] = CHECKS) -> list[Finding]:
    """The findings of ``checks`` on ``run``, in order."""
    return [finding for check in checks for finding in check(run, settings)]


def exit_code(findings: list[Finding]) -> int:
    """The exit status the findings ask for: the lowest of theirs but the informational ones' (``EXIT_OK``),
    ``EXIT_OK`` without any. A notice never hides a failure (a few body fallbacks beside a field under the minimum
    exit 5)."""
    return min((finding.exit_code for finding in findings if finding.exit_code != EXIT_OK), default=EXIT_OK)


def problems(findings: list[Finding]) -> list[str]:
    """The report's ``problems``: the findings' messages in order, the alerts only left out."""
    return [finding.message for finding in findings if finding.problem]


def counts_text(counts: dict[str, int]) -> str:
    """``{"total": 3, "a": 1, "b": 2}`` → ``3 (a 1, b 2)``; ``none`` when empty."""
    if not counts:
        return "none"
    total = sum(value for key, value in counts.items() if key != "total")
    parts = ", ".join(f"{key} {value}" for key, value in counts.items() if key != "total")
    return f"{counts.get('total', total)} ({parts})" if parts else str(counts.get("total", total))
