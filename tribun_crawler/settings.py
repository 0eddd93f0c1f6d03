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


#: The spellings of "on" for a flag given as text (an environment variable, a ``-a`` or ``-s`` value).
_TRUTHY = frozenset({"1", "true", "yes", "on"})


def is_truthy(value: object) -> bool:
    """A flag given as text: ``1``, ``true``, ``yes`` or ``on`` (any case) is on."""
    return str(value).strip().lower() in _TRUTHY


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
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Scrapy starts this many asyncio tasks for the output of every response, whatever its size. Our pipelines
# are synchronous, so they gain nothing from more; the default 100 cost a fifth of a replayed crawl's CPU
# (benchmarks/crawl.py: 182 pages/s at 100, 229-233 at 1, 4 or 8, same cache, same machine).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = float(_env("TRIBUN_DOWNLOAD_DELAY", "1.0"))
# ±50 % around the delay (Scrapy 2.19 deprecates RANDOMIZE_DOWNLOAD_DELAY for this).
DOWNLOAD_DELAY_JITTER = 0.5
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
#: Hours after publication at which a recent article (within TRIBUN_RECHECK_HOURS) that a listing or a link names is
#: read again to catch an update: once for each of these ages passed since its site was last discovered. Empty:
#: every time a listing or link names it, as before issue 16 (state/crawl.py, docs/operations.md#rechecks). (env)
TRIBUN_RECHECK_AGES = _env("TRIBUN_RECHECK_AGES", "1,2,4,8,16,32")
#: In a run that discovers by sitemaps, a recent article of a chosen site is read again only when a sitemap shows
#: it changed (a later lastmod), not when a listing or link names it; 0: by TRIBUN_RECHECK_AGES then. (env)
TRIBUN_RECHECK_BY_SITEMAP = is_truthy(_env("TRIBUN_RECHECK_BY_SITEMAP", "1"))
#: A fixed present moment (ISO 8601 with offset) for simulations and tests; empty: the real clock (clock.py). (env)
TRIBUN_NOW = _env("TRIBUN_NOW", "")
#: Keep robots.txt between runs (24 h at most, RFC 9309) and ask again for hubs, daily indexes and sitemaps with
#: If-None-Match/If-Modified-Since (middlewares/discovery.py); 0 turns it off. Off while HTTPCACHE_ENABLED. (env)
TRIBUN_DISCOVERY_CACHE = is_truthy(_env("TRIBUN_DISCOVERY_CACHE", "1"))
#: Folder of the discovery cache; empty: beside the SQLite state file (``.state/tribun-discovery`` for the default
#: one), and none with the Redis state unless set. (env)
TRIBUN_DISCOVERY_CACHE_DIR = _env("TRIBUN_DISCOVERY_CACHE_DIR", "")
#: Seconds: a sitemap that lists changes only (a web sitemap: lastmod, no publication date) is asked for again at
#: most this often, while its host's news sitemap, answered within that interval, lists the new articles; updates then
#: reach the feed within about this delay. 0: asked for on every discovery (middlewares/discovery.py). (env)
TRIBUN_CHANGE_SITEMAP_INTERVAL = float(_env("TRIBUN_CHANGE_SITEMAP_INTERVAL", "14400"))

#: Where the state lives: auto (Redis when REDIS_URL is set, else the SQLite file), sqlite or redis. (env)
TRIBUN_STATE_BACKEND = _env("TRIBUN_STATE_BACKEND", "auto")
#: Prefix of every Redis key of the state, so several crawls can share one Redis database. (env)
TRIBUN_REDIS_PREFIX = _env("TRIBUN_REDIS_PREFIX", "tribun:state")
#: Shorter bodies (characters, after normalisation) are teasers, video or photo pages: dropped. (env)
TRIBUN_MIN_BODY_CHARS = int(_env("TRIBUN_MIN_BODY_CHARS", "150"))
#: Drop an article that breaks the JSON Schema of the feed (tribun_crawler/schema); 0 keeps it, counted and logged.
#: (env)
TRIBUN_DROP_SCHEMA_INVALID = is_truthy(_env("TRIBUN_DROP_SCHEMA_INVALID", "1"))
#: Emit syndicated copies with duplicateOf set to the emitted original, instead of dropping them. (env)
TRIBUN_EMIT_DUPLICATES = is_truthy(_env("TRIBUN_EMIT_DUPLICATES", "0"))
#: Folder of the default feed: one JSONL file per run, {dir}/{spider}/{start time UTC}.jsonl. (env)
TRIBUN_FEED_DIR = _env("TRIBUN_FEED_DIR", "data")
#: The FEEDS of a run whose command line names no output; -o/-O/-s FEEDS replace it (the DefaultFeed add-on:
#: Scrapy itself would add -o/-O to FEEDS). store_empty False: a run with nothing new leaves no empty file.
TRIBUN_DEFAULT_FEEDS = {
    f"{TRIBUN_FEED_DIR}/%(name)s/%(time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "store_empty": False,
    },
}
# Local files are written unbuffered, so a killed run loses no line the state store has recorded.
FEED_STORAGES = {
    "": "tribun_crawler.feeds.UnbufferedFileFeedStorage",
    "file": "tribun_crawler.feeds.UnbufferedFileFeedStorage",
}
# %(time)s = the run's start time, UTC, as 2024-06-20T12-05-00.
FEED_URI_PARAMS = "tribun_crawler.feeds.feed_uri_params"

# --- Adaptive polling (polling.py, docs/operations.md#adaptive-polling) ----------------------------------------
#: Each run discovers only the hosts due by their publishing rate (the rest are counted tribun/discovery/not_due/);
#: 0 polls every host every run, as -a force=1 does for one run. (env)
TRIBUN_ADAPTIVE_POLLING = is_truthy(_env("TRIBUN_ADAPTIVE_POLLING", "1"))
#: A host is due once this many new articles are expected since its last discovery. (env)
TRIBUN_POLL_THRESHOLD = float(_env("TRIBUN_POLL_THRESHOLD", "1.0"))
#: Seconds: a host is never discovered again sooner (the cron period; a minute of slack for late starts). (env)
TRIBUN_MIN_POLL_INTERVAL = float(_env("TRIBUN_MIN_POLL_INTERVAL", "900"))
#: Seconds: a host is discovered at least this often, whatever its rate says. (env)
TRIBUN_MAX_POLL_INTERVAL = float(_env("TRIBUN_MAX_POLL_INTERVAL", "7200"))
#: Seconds: a host likely enough to have published (polling.WORTH_A_LOOK) is discovered at least this often, so a
#: small site's articles reach the feed within about this delay; 0: no target, only the threshold and the
#: maximum. (env)
TRIBUN_POLL_DELAY_TARGET = float(_env("TRIBUN_POLL_DELAY_TARGET", "3600"))

# --- Engine ------------------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = _env("TRIBUN_LOG_LEVEL", "INFO")
LOGSTATS_INTERVAL = 60.0
REQUEST_FINGERPRINTER_CLASS = "tribun_crawler.fingerprint.TribunRequestFingerprinter"
# The requests seen, in about 8 bytes each instead of RFPDupeFilter's ~100: the memory of a long crawl stays flat.
DUPEFILTER_CLASS = "tribun_crawler.state.dupefilter.CompactDupeFilter"

# --- Operation: politeness, blocks, report, distribution ---------------------------------------------------
#: Pause a host this long after a 429/5xx/timeout, doubled per retry (a longer Retry-After wins). (env)
TRIBUN_RETRY_BACKOFF_BASE = float(_env("TRIBUN_RETRY_BACKOFF_BASE", "2"))
#: Longest pause of a host after errors, Retry-After included, in seconds. (env)
TRIBUN_RETRY_BACKOFF_MAX = float(_env("TRIBUN_RETRY_BACKOFF_MAX", "120"))
#: Block answers (403, WAF challenge) in a row from one host that make it a block. 3 is all a refusing regional
#: site answers before its articles: robots.txt, the homepage and the daily index. (env)
TRIBUN_BLOCK_THRESHOLD = int(_env("TRIBUN_BLOCK_THRESHOLD", "3"))
#: Seconds a blocked host's requests are dropped before it is tried again. (env)
TRIBUN_BLOCK_COOLDOWN = float(_env("TRIBUN_BLOCK_COOLDOWN", "600"))
#: HTTP statuses that are block answers (WAF challenge headers count too).
TRIBUN_BLOCK_HTTP_CODES = [403]
#: Also write the run report here (%(name)s, %(time)s as in FEEDS); it always goes beside local feeds. (env)
TRIBUN_REPORT_PATH = _env("TRIBUN_REPORT_PATH", "")
#: Exit 5 when fewer articles read than this share have each of TRIBUN_COVERAGE_FIELDS (an article page the
#: spider could not read counts as one without any field). (env)
TRIBUN_MIN_COVERAGE = float(_env("TRIBUN_MIN_COVERAGE", "0.8"))
TRIBUN_COVERAGE_FIELDS = ["headline", "articleBody", "datePublished"]
#: Coverage is judged from this many articles read on. (env)
TRIBUN_COVERAGE_MIN_ITEMS = int(_env("TRIBUN_COVERAGE_MIN_ITEMS", "10"))
#: 1 forces the shared Redis queue on (0 off); empty follows REDIS_URL. (env)
TRIBUN_DISTRIBUTED = _env("TRIBUN_DISTRIBUTED", "")
#: A worker closes once the shared queue stayed empty, with no worker busy, this many seconds. (env)
TRIBUN_DISTRIBUTED_IDLE_TIMEOUT = float(_env("TRIBUN_DISTRIBUTED_IDLE_TIMEOUT", "30"))
#: Seconds between a worker's heartbeats in Redis; three missed ones and it counts as gone.
TRIBUN_DISTRIBUTED_HEARTBEAT = 5.0
#: A worker that could not reach Redis this many seconds closes (finish reason redis_down, exit 9); shorter
#: outages are retried (distributed/faults.py). (env)
TRIBUN_REDIS_GIVE_UP = float(_env("TRIBUN_REDIS_GIVE_UP", "300"))

#: Failed pages listed per reason in the run report (beyond that only counted). (env)
TRIBUN_REPORT_FAILED_PAGES = int(_env("TRIBUN_REPORT_FAILED_PAGES", "100"))

# --- Monitoring: Spidermon (tribun_crawler/monitors.py, docs/operations.md#monitoring) ----------------------------
#: Spidermon's monitors run at close and every TRIBUN_MONITOR_INTERVAL, each one of the checks (checks.py) the
#: exit status is made of; the exit status is the same without them. (env)
SPIDERMON_ENABLED = is_truthy(_env("SPIDERMON_ENABLED", "1"))
SPIDERMON_SPIDER_CLOSE_MONITORS = ["tribun_crawler.monitors.CloseMonitors"]
#: Seconds between runs of the periodic monitors (field coverage) during a crawl. (env)
TRIBUN_MONITOR_INTERVAL = float(_env("TRIBUN_MONITOR_INTERVAL", "600"))
SPIDERMON_PERIODIC_MONITORS = {"tribun_crawler.monitors.PeriodicMonitors": TRIBUN_MONITOR_INTERVAL}
#: The check failed_pages (a notice, exit 0) and its close monitor fail when more than this share of the pages
#: asked for failed (tribun/failed/*). (env)
TRIBUN_MAX_FAILED_RATIO = float(_env("TRIBUN_MAX_FAILED_RATIO", "0.2"))
# Alerts when a monitor fails, each off until its setting (or environment variable) is given; the rest of each
# action's settings (SPIDERMON_SLACK_RECIPIENTS, SPIDERMON_EMAIL_TO …) are Spidermon's own, read as documented.
SPIDERMON_DISCORD_WEBHOOK_URL = _env("SPIDERMON_DISCORD_WEBHOOK_URL", "")
SPIDERMON_SLACK_SENDER_TOKEN = _env("SPIDERMON_SLACK_SENDER_TOKEN", "")
SPIDERMON_TELEGRAM_SENDER_TOKEN = _env("SPIDERMON_TELEGRAM_SENDER_TOKEN", "")
SPIDERMON_SMTP_HOST = _env("SPIDERMON_SMTP_HOST", "")
SPIDERMON_SENTRY_DSN = _env("SPIDERMON_SENTRY_DSN", "")

# --- Stopping: network down, SIGTERM/SIGINT -----------------------------------------------------------------
#: Errors of the connection kind, with no response yet and every host tried failing so, after which the run
#: stops as network down (exit status 6). (env)
TRIBUN_NETWORK_DOWN_ERRORS = int(_env("TRIBUN_NETWORK_DOWN_ERRORS", "5"))
#: ... or, with fewer errors (a run of one host, paced by backoff), this many seconds after the first; 0: never.
#: (env)
TRIBUN_NETWORK_DOWN_AFTER = float(_env("TRIBUN_NETWORK_DOWN_AFTER", "20"))
#: Seconds downloads in flight may take to end once a stop began (SIGTERM, SIGINT, network down); then they are
#: cancelled and the run closes. Service managers kill a little later (systemd after 90 s, Docker after 10 s:
#: set `docker stop -t` above this). (env)
TRIBUN_STOP_GRACE = float(_env("TRIBUN_STOP_GRACE", "10"))

# --- Components -------------------------------------------------------------------------------------------------
# Every component of the crawl, each in the order a request (or an item) meets it. Scrapy's own built-in
# components keep their numbers (scrapy/settings/default_settings.py); they are named in the comments so the order
# reads whole. docs/architecture.md draws the same path.

#: Downloader middlewares, in the order a request meets them on its way out (the answer comes back bottom up).
DOWNLOADER_MIDDLEWARES = {
    # Only http(s) on hosts of the network, for every request (redirects, meta refresh, robots.txt, sitemaps):
    # the first middleware, so nothing is sent off the network, not even a robots.txt request.
    "tribun_crawler.middlewares.scope.NetworkScopeMiddleware": 30,
    # (Scrapy: 50 OffsiteMiddleware.)
    # Skips article requests the state store knows (unless within TRIBUN_RECHECK_HOURS), before robots.txt
    # and the download delay spend anything on them.
    "tribun_crawler.middlewares.state.StateMiddleware": 50,
    # (Scrapy: 100 RobotsTxt, 300 HttpAuth, 350 DownloadTimeout, 400 DefaultHeaders, 500 UserAgent.)
    # Reports what RetryMiddleware (550) gave up on: final HTTP errors, download errors, block drops.
    "tribun_crawler.middlewares.failures.FailedDownloadMiddleware": 540,
    # Empty pages and pages cut off before </html> are retried, then reported, never read as whole articles.
    "tribun_crawler.middlewares.documents.WholeDocumentMiddleware": 545,
    # A robots.txt that answered 5xx after the retries, with no copy kept: complete disallow (RFC 9309 2.3.1.4).
    # Below RetryMiddleware, which it lets retry first, and the discovery cache, which answers with its copy.
    "tribun_crawler.middlewares.discovery.UnreachableRobotsTxtMiddleware": 548,
    # (Scrapy: 550 RetryMiddleware.)
    # robots.txt Crawl-delay per host, and backoff after 429/5xx/timeouts: above RetryMiddleware, so on the way
    # back it sees what RetryMiddleware turns into retries.
    "tribun_crawler.middlewares.politeness.HostPacingMiddleware": 560,
    # Stops the run as network_down (exit status 6) when every host tried failed to connect (DNS, refused,
    # unreachable, TLS handshake, proxy) and nothing answered. Above RetryMiddleware and HostPacingMiddleware,
    # so on the way back it sees every error before it is retried or paced.
    "tribun_crawler.extensions.network.NetworkDownMiddleware": 570,
    # (Scrapy: 580 MetaRefreshMiddleware.)
    # An HTML page with no charset anywhere that is not UTF-8 is windows-1252, as browsers read it.
    "tribun_crawler.middlewares.documents.LegacyCharsetMiddleware": 585,
    # HttpCompressionMiddleware that retries, then reports, a body it cannot decode (corrupt gzip); it replaces
    # Scrapy's (590), disabled here.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "tribun_crawler.middlewares.documents.DecompressionMiddleware": 590,
    # (Scrapy: 600 RedirectMiddleware.)
    # Refuses redirect loops, over-long chains and article -> non-article redirects (a removed story sent to
    # the homepage) before RedirectMiddleware follows them.
    "tribun_crawler.middlewares.scope.RedirectPolicyMiddleware": 610,
    # (Scrapy: 700 Cookies (off here), 750 HttpProxy, 850 DownloaderStats.)
    # robots.txt kept between runs, discovery pages asked for again with their validators, a 304 turned into the
    # cached page marked not modified. Where Scrapy's HttpCacheMiddleware sits (it steps aside when HTTPCACHE_ENABLED
    # turns that one on): above RetryMiddleware and everything that reads a status, so none of them sees a 304.
    "tribun_crawler.middlewares.discovery.DiscoveryCacheMiddleware": 890,
    # (Scrapy: 900 HttpCache, the offline replay's.)
    # Drops requests to a blocked host (403s or challenge pages in a row) during its cool-down. After robots.txt
    # and the cache: a request it lets pass goes straight into its host's slot.
    "tribun_crawler.middlewares.blocks.BlockDetectionMiddleware": 950,
    # A prompt stop on SIGTERM, Ctrl-C or network down: no new requests, none left waiting for a delay or a
    # backoff, downloads in flight cancelled after TRIBUN_STOP_GRACE. Last on the way out, first on the way back.
    "tribun_crawler.extensions.stop.PromptStop": 960,
}

#: Spider middlewares, in the order the spider's output meets them on its way out (read from the bottom).
SPIDER_MIDDLEWARES = {
    # (Scrapy: 25 StartSpider, 50 HttpError, 700 Referer, 800 UrlLength, 900 Depth.)
    # Reports pages the spider raised on (spider/<exception>); what it could not read, it reports itself.
    "tribun_crawler.middlewares.failures.SpiderExceptionMiddleware": 940,
    # Field coverage of every article the spider reads (tribun/fields/*), before the pipelines drop any: the
    # run report's template-change signal. Next to the spider: only Scrapy's MetaCopyDetection (1000), which changes
    # nothing, is nearer.
    "tribun_crawler.middlewares.coverage.FieldCoverageMiddleware": 950,
    # (Scrapy: 1000 MetaCopyDetection.)
}

#: Item pipelines, in the order an item meets them; an item that passes all is written by the feed exporter and
#: recorded by DeduplicatePipeline when Scrapy announces it written (item_scraped).
ITEM_PIPELINES = {
    # NFC text, single spaces, no boilerplate lines or name prefixes, canonical URLs, offset-aware ISO dates.
    "tribun_crawler.pipelines.normalize.NormalizePipeline": 100,
    # Drops (tribun/dropped/<reason>) items without url, headline, body or datePublished, or too short.
    "tribun_crawler.pipelines.validate.ValidatePipeline": 200,
    # One item per article and syndicated story, this run and earlier ones; records emitted articles.
    "tribun_crawler.pipelines.dedupe.DeduplicatePipeline": 300,
}

#: Extensions, in the order Scrapy builds them.
EXTENSIONS = {
    # The periodic progress line, in articles, with drops, duplicates, errors and blocked hosts, instead of
    # Scrapy's pages/items line.
    "scrapy.extensions.logstats.LogStats": None,
    "tribun_crawler.extensions.report.ProgressLog": 0,
    # The state store of the crawl, its run marker and clock, and the refetch rule: the one owner, asked by the
    # spider, StateMiddleware and DeduplicatePipeline (tribun_crawler/state/crawl.py).
    "tribun_crawler.state.crawl.CrawlState": 10,
    # Spidermon: the monitors of tribun_crawler/monitors.py at close (before the report, which lists their results)
    # and every TRIBUN_MONITOR_INTERVAL; their alerts. After Scrapy's CoreStats (0), which sets the finish reason.
    "spidermon.contrib.scrapy.extensions.Spidermon": 50,
    # The end-of-run report (log + <feed>.stats.json), field coverage included, and the exit status of
    # `scrapy crawl`.
    "tribun_crawler.extensions.report.RunReport": 100,
}

ADDONS = {
    # The default feed (TRIBUN_DEFAULT_FEEDS) when the command line names no output.
    "tribun_crawler.feeds.DefaultFeed": 0,
    # The scrapy-redis shared queue when REDIS_URL or TRIBUN_DISTRIBUTED says so (tribun_crawler/distributed/).
    "tribun_crawler.distributed.DistributedQueue": 0,
    # SPIDERMON_PERIODIC_MONITORS follows TRIBUN_MONITOR_INTERVAL however it is given (-s too).
    "tribun_crawler.monitors.MonitorInterval": 0,
}

# Hand out requests of the hosts with the fewest downloads in progress first, so a whole-network crawl fetches
# its ~60 hosts side by side, each at its own pace, instead of queueing behind one site.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# `scrapy crawl` exits non-zero on a broken or interrupted run (3 to 8, extensions/report.py has the table).
COMMANDS_MODULE = "tribun_crawler.commands"
