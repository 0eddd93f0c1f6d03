"""Spidermon monitors of a crawl: what the run did, judged at close and, for field coverage, while it runs.

``CloseMonitors`` (``SPIDERMON_SPIDER_CLOSE_MONITORS``) runs when the spider closes, ``PeriodicMonitors``
(``SPIDERMON_PERIODIC_MONITORS``) every ``TRIBUN_MONITOR_INTERVAL`` seconds, so a long backfill learns of a template
change while it runs. Each monitor reads the run's stats (``tribun_crawler.stats``) and fails with a message that
names the numbers. Failing monitors send the alerts whose settings are given (:func:`alert_actions`); they never
change the exit status of ``scrapy crawl``: ``RunReport`` decides it, and lists the close monitors' results under
``monitors``. docs/operations.md#monitoring tells how to add a rule and turn an alert on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from spidermon import Monitor, MonitorSuite
from spidermon.core.actions import Action
from spidermon.exceptions import NotConfigured
from spidermon.settings import MONITOR

from tribun_crawler import stats as stat
from tribun_crawler.extensions.report import RunReport, coverage, low_coverage
from tribun_crawler.meta import PageKind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)

#: The page kinds that lead to articles: article pages and listings (sitemaps and robots.txt aside).
ARTICLE_OR_LISTING_PAGES = frozenset(kind.value for kind in PageKind if kind is not PageKind.SITEMAP)

#: The alert text (Jinja, Spidermon's template context): the spider, then each failed monitor and its message.
ALERT_MESSAGE = (
    "{{ data.sc_spider_name }}: {{ result.monitors_failed_results|length }} monitor(s) failed\n"
    "{% for failed in result.monitors_failed_results %}"
    "- {{ failed.monitor.name }}: {{ failed.reason or failed.error }}\n"
    "{% endfor %}"
)


class StatsMonitor(Monitor):
    """A monitor of the run's stats and settings (Spidermon passes the crawler and its stats in ``data``)."""

    @property
    def stats(self) -> dict[str, Any]:
        return dict(self.data.stats)

    @property
    def settings(self) -> Settings:
        return self.data.crawler.settings


class ArticlesMonitor(StatsMonitor):
    """Articles are emitted when article or listing pages were read."""

    def test_articles_emitted(self) -> None:
        stats = self.stats
        pages = {kind: n for kind, n in stat.PAGES.of(stats).items() if kind in ARTICLE_OR_LISTING_PAGES}
        if not sum(pages.values()):
            return
        minimum = self.settings.getint("TRIBUN_MONITOR_MIN_ARTICLES")
        articles = int(stats.get("item_scraped_count", 0))
        # Found again: read and known already, or not asked for because known, or on discovery pages unchanged since
        # a finished run read them: a run with nothing new is healthy.
        found_again = (
            sum(stat.DUPLICATES.of(stats).values())
            + int(stats.get(stat.DROPPED_UNCHANGED, 0))
            + sum(stat.SKIPPED.of(stats).values())
            + int(stats.get(stat.DISTRIBUTED_FILTERED, 0))
            + int(stats.get(stat.DISCOVERY_NOT_MODIFIED, 0))
            + int(stats.get(stat.DISCOVERY_SITEMAP_UNCHANGED, 0))
        )
        if articles + found_again < minimum:
            read = ", ".join(f"{kind} {n}" for kind, n in pages.items())
            self.fail(
                f"{sum(pages.values())} article or listing pages read ({read}) but {articles} articles emitted "
                f"and {found_again} found again (minimum {minimum})"
            )


class CoverageMonitor(StatsMonitor):
    """The watched fields (``TRIBUN_COVERAGE_FIELDS``) are found in enough of the articles read."""

    def test_field_coverage(self) -> None:
        settings = self.settings
        minimum = settings.getfloat("TRIBUN_MIN_COVERAGE")
        read, shares = coverage(self.stats)
        low = low_coverage(
            read,
            shares,
            settings.getlist("TRIBUN_COVERAGE_FIELDS"),
            minimum,
            settings.getint("TRIBUN_COVERAGE_MIN_ITEMS"),
        )
        if low:
            fields = ", ".join(f"{name} {share:.0%}" for name, share in low.items())
            self.fail(
                f"field coverage under {minimum:.0%} of {read} articles read: {fields} (has the page template changed?)"
            )


class FailedPagesMonitor(StatsMonitor):
    """At most ``TRIBUN_MAX_FAILED_RATIO`` of the pages asked for failed (``tribun/failed/*``)."""

    def test_failed_pages_ratio(self) -> None:
        stats = self.stats
        failed = stat.FAILED.of(stats)
        # Asked for: read, failed, or answered 304 and not read again (middlewares/discovery.py).
        unchanged = int(stats.get(stat.DISCOVERY_NOT_MODIFIED, 0))
        asked = sum(stat.PAGES.of(stats).values()) + sum(failed.values()) + unchanged
        maximum = self.settings.getfloat("TRIBUN_MAX_FAILED_RATIO")
        if asked and sum(failed.values()) / asked > maximum:
            reasons = ", ".join(f"{reason} {n}" for reason, n in failed.items())
            self.fail(
                f"{sum(failed.values())} of {asked} pages failed ({sum(failed.values()) / asked:.0%}, "
                f"maximum {maximum:.0%}): {reasons}"
            )


class BlockedHostsMonitor(StatsMonitor):
    """No host blocked the crawler (``tribun/blocked/*``)."""

    def test_no_blocked_host(self) -> None:
        blocked = stat.BLOCKED.of(self.stats)
        if blocked:
            hosts = ", ".join(f"{host} ({n} blocks)" for host, n in blocked.items())
            self.fail(f"{len(blocked)} hosts blocked the crawler: {hosts}")


class FinishReasonMonitor(StatsMonitor):
    """The run ran its course: finish reason ``finished``."""

    def test_finish_reason(self) -> None:
        reason = self.stats.get("finish_reason")
        if reason != "finished":
            self.fail(f"the run closed as {reason!r}, not 'finished'")


def alert_actions(crawler: Crawler | None) -> list[Action]:
    """Spidermon's actions for the alerts whose settings are given: Discord, Slack, Telegram, e-mail, Sentry.

    An alert whose package is missing (``slack-sdk``, ``sentry-sdk``, ``premailer``) or whose settings are
    incomplete is logged as an error and left out: the crawl runs without it.
    """
    if crawler is None:
        return []
    settings = crawler.settings
    wanted = [
        ("SPIDERMON_DISCORD_WEBHOOK_URL", "spidermon.contrib.actions.discord.SendDiscordMessage"),
        ("SPIDERMON_SLACK_SENDER_TOKEN", "spidermon.contrib.actions.slack.SendSlackMessage"),
        ("SPIDERMON_TELEGRAM_SENDER_TOKEN", "spidermon.contrib.actions.telegram.SendTelegramMessage"),
        ("SPIDERMON_SMTP_HOST", "spidermon.contrib.actions.email.smtp.SendSmtpEmail"),
        ("SPIDERMON_SENTRY_DSN", "spidermon.contrib.actions.sentry.SendSentryMessage"),
    ]
    actions = []
    for setting, path in wanted:
        if not settings.get(setting):
            continue
        try:
            actions.append(_action(path, crawler))
        except (ImportError, NotConfigured) as exc:
            logger.error("Alert %s (%s) not sent on failed monitors: %s", path.rsplit(".", 1)[-1], setting, exc)
    return actions


def _action(path: str, crawler: Crawler) -> Action:
    from scrapy.utils.misc import load_object  # noqa: PLC0415

    cls = load_object(path)
    kwargs = cls.from_crawler_kwargs(crawler)
    # The project's text names every failed monitor and its message, unless a message or template is set.
    if "message" in kwargs and not kwargs["message"] and not kwargs.get("message_template"):
        kwargs["message"] = ALERT_MESSAGE
    if "body_text" in kwargs and not kwargs["body_text"] and not kwargs.get("body_text_template"):
        kwargs["body_text"] = ALERT_MESSAGE
    action: Action = cls(**kwargs)
    return action


class AlertingSuite(MonitorSuite):
    """A suite that sends the configured alerts (:func:`alert_actions`) when a monitor fails."""

    monitors: ClassVar[list[Any]] = []

    def __init__(self, *args: Any, crawler: Crawler | None = None, **kwargs: Any) -> None:
        super().__init__(*args, crawler=crawler, **kwargs)
        self.add_monitors_failed_actions(alert_actions(crawler))


class CloseMonitors(AlertingSuite):
    """The monitors run when the spider closes; their results go into the run report (``monitors``)."""

    monitors: ClassVar[list[Any]] = [
        ArticlesMonitor,
        CoverageMonitor,
        FailedPagesMonitor,
        BlockedHostsMonitor,
        FinishReasonMonitor,
    ]

    def on_monitors_finished(self, result: Any) -> None:
        report = self._crawler.get_extension(RunReport) if self._crawler is not None else None
        if report is not None:
            report.monitors = monitor_results(result)


class PeriodicMonitors(AlertingSuite):
    """The monitors run every ``TRIBUN_MONITOR_INTERVAL`` seconds during the crawl: field coverage."""

    monitors: ClassVar[list[Any]] = [CoverageMonitor]


def monitor_results(result: Any) -> list[dict[str, str | None]]:
    """Each monitor's name, status (passed, failed, error, skipped) and message, from a Spidermon result."""
    statuses = {
        MONITOR.STATUS.SUCCESS: "passed",
        MONITOR.STATUS.FAILURE: "failed",
        MONITOR.STATUS.ERROR: "error",
        MONITOR.STATUS.SKIPPED: "skipped",
    }
    return [
        {
            "name": item.monitor.name,
            "status": statuses.get(item.status, str(item.status)),
            "message": item.reason or (item.error.strip().splitlines()[-1] if item.error else None),
        }
        for item in result.monitor_results
    ]


class MonitorInterval:
    """Add-on: the periodic suite runs every ``TRIBUN_MONITOR_INTERVAL`` seconds, however that setting was given
    (``-s`` too, not only the environment settings.py reads).

    Spidermon runs periodic suites with Twisted's ``LoopingCall`` on the global reactor. A crawl without one
    (``TWISTED_REACTOR_ENABLED = False``, Scrapy 2.19's reactorless mode, as in the tests) would never run them
    and would install Twisted's default reactor as a side effect: there the suite is left out.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        suites = dict(settings.getdict("SPIDERMON_PERIODIC_MONITORS"))
        name = f"{PeriodicMonitors.__module__}.{PeriodicMonitors.__qualname__}"
        if name not in suites:
            return
        if settings.getbool("TWISTED_REACTOR_ENABLED"):
            suites[name] = settings.getfloat("TRIBUN_MONITOR_INTERVAL")
        else:
            del suites[name]
            logger.info("No Twisted reactor: the periodic monitors do not run (they run at close)")
        priority = max(
            settings.getpriority("SPIDERMON_PERIODIC_MONITORS") or 0,
            settings.getpriority("TRIBUN_MONITOR_INTERVAL") or 0,
        )
        settings.set("SPIDERMON_PERIODIC_MONITORS", suites, priority=priority)
