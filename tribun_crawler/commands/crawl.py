"""``scrapy crawl``, with an exit status that tells cron and CI whether the run worked.

Scrapy's own ``crawl`` exits 0 whenever the crawl started, even when it emitted nothing or was interrupted.
This one exits with the status the run report decided from the finish reason and what the run emitted
(``tribun_crawler.extensions.report`` has the table): 0 healthy (or an operator's CLOSESPIDER limit reached),
1 the crawl could not start, never closed or closed for an unknown reason, 2 usage error, 3 every host blocked
the crawler, 4 pages fetched but no article emitted, 5 field coverage below ``TRIBUN_MIN_COVERAGE``, 6 network
down, 7 interrupted (SIGTERM, Ctrl-C), 8 too many errors (``CLOSESPIDER_ERRORCOUNT``), 9 Redis unreachable
longer than ``TRIBUN_REDIS_GIVE_UP``. Enabled by ``COMMANDS_MODULE = "tribun_crawler.commands"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from tribun_crawler.extensions.report import EXIT_FAILED, exit_code_of

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider of the current project, by name; exit non-zero when the run looks broken"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        self.exitcode = exit_code_of(crawler)
