"""All settings of tribun_crawler, in one place.

Every project setting can be overridden per run with ``-s NAME=VALUE``; those marked *env* also read an
environment variable of the same name, so cron jobs and scrapyd can configure a worker without editing code.
The README lists every setting with its default.
"""

from __future__ import annotations

import os

BOT_NAME = "tribun_crawler"
SPIDER_MODULES = ["tribun_crawler.spiders"]
NEWSPIDER_MODULE = "tribun_crawler.spiders"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


# --- Crawl scope -------------------------------------------------------------------------------------------
#: How many hops of related-article links ("Baca juga", "Berita Terkait", …) are followed from an article
#: reached from a listing. 0 follows none. (env)
TRIBUN_RELATED_DEPTH = int(_env("TRIBUN_RELATED_DEPTH", "2"))
#: Listing pages followed per listing chain (section hub, daily index): a guard against endless paging.
#: The daily index repeats page 10 from page 11 on, so 10 is enough there. (env)
TRIBUN_MAX_LISTING_PAGES = int(_env("TRIBUN_MAX_LISTING_PAGES", "10"))

# --- Politeness --------------------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
# CloudFront answers 403 to library and "bot" user agents: present a desktop browser. (env)
USER_AGENT = _env(
    "TRIBUN_USER_AGENT",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = float(_env("TRIBUN_DOWNLOAD_DELAY", "1.0"))
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
COOKIES_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "id-ID,id;q=0.9,en;q=0.8",
}

# --- Output ------------------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"

# --- State -------------------------------------------------------------------------------------------------
#: SQLite file that remembers every emitted article across runs. (env)
TRIBUN_STATE_PATH = _env("TRIBUN_STATE_PATH", ".state/tribun.sqlite3")
#: Redis URL; when set, state (and, with scrapy-redis, the queue) lives in Redis. (env)
REDIS_URL = _env("REDIS_URL", "") or None
#: Articles published within this many hours are fetched again to catch updates. (env)
TRIBUN_RECHECK_HOURS = float(_env("TRIBUN_RECHECK_HOURS", "48"))

# --- Engine ------------------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = _env("TRIBUN_LOG_LEVEL", "INFO")
LOGSTATS_INTERVAL = 60.0
REQUEST_FINGERPRINTER_CLASS = "tribun_crawler.fingerprint.TribunRequestFingerprinter"
