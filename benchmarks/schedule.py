"""A simulated day of cron runs: ``scrapy crawl tribun`` every 15 minutes over the whole network, mode by mode.

A benchmark, not a test (issue 16). For each column (a mode of :data:`MODES`, with a ``discover`` choice) it

1. starts the clocked replica (``benchmarks/schedule_network.py``: 57 sites publishing at uneven rates with a
   daily rhythm, 5 % of the articles updated hours later) in a fresh folder with a fresh state store;
2. runs a warm-up crawl at the simulation's start (``-a since=`` the history days, daily indexes, hubs and
   sitemaps): the state store then holds what earlier days published, as the runs of the days before leave it.
   Its requests are reported apart;
3. runs ``scrapy crawl tribun -a sites=…`` ``--steps`` times (96), each at the next ``--step-minutes`` (15) step
   of the clock: the step's time is written to the server's clock file and given to the crawl as
   ``-s TRIBUN_NOW=…``; ``DOWNLOAD_DELAY=0`` and no AutoThrottle (requests are counted, not waited for);
4. reads every run's feed and the replica's request log (each answer's bytes included) and prints, column by
   column: requests per new article (every request of the 96 runs, robots.txt included, over the articles
   published during them and emitted), requests by kind, bytes transferred, the delay from publication to the
   feed (the step time of the run that first emitted it; median and p95), articles missed (published by the
   last step, more than the 2-hour longest poll interval before it, and never emitted; those published later and
   not emitted yet are shown as pending) and updates emitted (an updated article emitted again at or after its update).

    python benchmarks/schedule.py                          # before and after, 57 sites, 96 steps
    python benchmarks/schedule.py --modes before --discover default,sitemaps
    python benchmarks/schedule.py --quick                  # 12 sites x 16 steps from 08:00 (a smoke test)
    python benchmarks/schedule.py --json results.json --workdir /tmp/schedule

A mode is a dict of crawl settings (:data:`MODES`); adding one is one line there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.crawl import crawl_env  # noqa: E402
from benchmarks.schedule_network import DayNetwork, add_day_arguments, day_from_args  # noqa: E402
from tests.replica import Replica, launch  # noqa: E402
from tribun_crawler import settings as project_settings  # noqa: E402
from tribun_crawler.sites import SITES  # noqa: E402
from tribun_crawler.urls import PageType, article_key, classify_url  # noqa: E402

#: The crawl settings of each mode. ``before``: the design before issue 16 (its features turned off). ``after``:
#: the project's defaults, the issue-16 features on; a new mode is one more line.
MODES: dict[str, dict[str, str]] = {
    "before": {
        "TRIBUN_DISCOVERY_CACHE": "0",
        "TRIBUN_ADAPTIVE_POLLING": "0",
        "TRIBUN_RECHECK_AGES": "",
        "TRIBUN_RECHECK_BY_SITEMAP": "0",
        "TRIBUN_CHANGE_SITEMAP_INTERVAL": "0",
    },
    # The defaults: discovery cache (robots.txt kept, conditional requests, absent sitemap names remembered),
    # adaptive polling, rechecks only when a change may be expected.
    "after": {},
    # The defaults but a host is due only once 2 (4) new articles are expected: fewer polls, longer delays.
    "after-t2": {"TRIBUN_POLL_THRESHOLD": "2"},
    "after-t4": {"TRIBUN_POLL_THRESHOLD": "4"},
    "after-t05": {"TRIBUN_POLL_THRESHOLD": "0.5"},
    "after-max60": {"TRIBUN_MAX_POLL_INTERVAL": "3600"},
    # The defaults but no delay target: a site is due only by the threshold (and the maximum interval).
    "after-no-target": {"TRIBUN_POLL_DELAY_TARGET": "0"},
    # The defaults but web sitemaps (changes only) asked for on every look (0), or every 2 h.
    "after-c0": {"TRIBUN_CHANGE_SITEMAP_INTERVAL": "0"},
    "after-c2h": {"TRIBUN_CHANGE_SITEMAP_INTERVAL": "7200"},
    # The defaults but, in the default column, discovery without sitemaps for changes (-a discover=sections,index):
    # recent articles read again by the ages of TRIBUN_RECHECK_AGES, as the default did before discover=changes.
    "after-listings": {},
}
#: What a mode discovers by in the default column when it is not the crawler's default (``-a discover=``): the
#: design before issue 16 had hubs and the daily index only.
MODE_DISCOVERY = {"before": "sections,index", "after-listings": "sections,index"}
#: How long a site may go without discovery (``TRIBUN_MAX_POLL_INTERVAL``'s default): an article published this
#: close to the last step and not emitted yet is pending, not missed (its site's next discovery is after the day).
MAX_POLL_INTERVAL = timedelta(hours=2)
#: ``TRIBUN_CHANGE_SITEMAP_INTERVAL``'s default: a web sitemap is read this long after the last read at most, at its
#: site's next discovery, so an update this much plus :data:`MAX_POLL_INTERVAL` before the last step is pending.
CHANGE_SITEMAP_INTERVAL = timedelta(seconds=float(project_settings.TRIBUN_CHANGE_SITEMAP_INTERVAL))
#: Settings of every run: no politeness waits (the replica is local; the benchmark counts requests).
RUN_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "INFO"}
#: The warm-up reads the whole history of every site: more daily index pages than a cron run reads.
WARMUP_SETTINGS = {"TRIBUN_MAX_LISTING_PAGES": "50"}
#: Kinds of requests, in the order they are printed.
KINDS = ("robots", "home/hub", "daily index", "sitemap", "article", "other")
#: The discovery a cron user gets by not giving ``-a discover=``.
DEFAULT_DISCOVERY = "default"
RUN_TIMEOUT = 900.0


def request_kind(entry: dict[str, Any]) -> str:
    """The kind of one logged request, from its path."""
    path = str(entry.get("path") or "/")
    if path == "/robots.txt":
        return "robots"
    if "sitemap" in path:
        return "sitemap"
    if path in ("/index-news", "/indeks"):
        return "daily index"
    url = f"https://{entry.get('host')}{path}" + (f"?{entry['query']}" if entry.get("query") else "")
    page_type = classify_url(url)
    if page_type is PageType.ARTICLE:
        return "article"
    if path == "/" or page_type is not None:
        return "home/hub"
    return "other"


@dataclass
class Column:
    """What one mode did over the simulated day."""

    name: str
    mode: str
    discover: str
    runs: int = 0
    failed_runs: dict[str, int] = field(default_factory=dict)
    """Exit status -> runs (not 0)."""
    requests: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    published: int = 0
    """Articles published after the start and by the last step."""
    new_articles: int = 0
    """Articles published during the steps and emitted (first emissions)."""
    older_first_emitted: int = 0
    """Articles published before the start that a step emitted for the first time (the warm-up missed them)."""
    lines: int = 0
    delays_min: list[float] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    """Published more than :data:`MAX_POLL_INTERVAL` before the last step and never emitted."""
    pending: list[str] = field(default_factory=list)
    """Published within :data:`MAX_POLL_INTERVAL` of the last step and not emitted yet."""
    updates_due: int = 0
    updates_emitted: int = 0
    updates_pending: int = 0
    """Updates made within :attr:`update_horizon` of the last step and not emitted yet (counted in due)."""
    update_horizon: timedelta = MAX_POLL_INTERVAL
    """How long an update may wait for the feed: the longest poll interval, plus the interval between reads of a
    web sitemap when the column discovers by sitemaps (:func:`update_horizon`)."""
    update_delays_min: list[float] = field(default_factory=list)
    warmup_requests: int = 0
    warmup_articles: int = 0
    wall_s: float = 0.0

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())

    @property
    def requests_per_new_article(self) -> float:
        return self.total_requests / max(self.new_articles, 1)

    def count(self, entries: Iterable[dict[str, Any]]) -> None:
        """Add the requests of a run (from the replica's log; CONNECT tunnels are the proxy's, not requests)."""
        for entry in entries:
            if entry.get("method") == "CONNECT":
                continue
            kind = request_kind(entry)
            self.requests[kind] = self.requests.get(kind, 0) + 1
            self.bytes[kind] = self.bytes.get(kind, 0) + int(entry.get("bytes") or 0)

    def delay(self, share: float) -> float | None:
        return percentile(self.delays_min, share)

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("delays_min")
        data.pop("update_delays_min")
        data["update_horizon"] = self.update_horizon.total_seconds()
        return {
            **data,
            "total_requests": self.total_requests,
            "total_bytes": self.total_bytes,
            "requests_per_new_article": round(self.requests_per_new_article, 4),
            "delay_median_min": self.delay(0.5),
            "delay_p95_min": self.delay(0.95),
            "update_delay_median_min": percentile(self.update_delays_min, 0.5),
            "update_delay_max_min": max(self.update_delays_min, default=None),
        }


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` quantile (nearest rank), or None without values."""
    if not values:
        return None
    if share == 0.5:
        return float(statistics.median(values))
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))])


class LogReader:
    """The replica's request log, read on from where the last read stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def new_entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        return [json.loads(line) for line in complete.splitlines() if line.strip()]


def read_feed(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def crawl(
    folder: Path, name: str, replica: Replica, *, args: dict[str, str], settings: dict[str, str]
) -> tuple[int, list[dict[str, Any]]]:
    """One ``scrapy crawl tribun`` through the replica; its exit status and the items of its feed."""
    feed = folder / "feeds" / f"{name}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "tribun", "-O", str(feed)]
    for key, value in args.items():
        command += ["-a", f"{key}={value}"]
    every = {
        **RUN_SETTINGS,
        "TRIBUN_STATE_PATH": str(folder / "state.sqlite3"),
        "LOG_FILE": str(folder / "logs" / f"{name}.log"),
        **settings,
    }
    for key, value in every.items():
        command += ["-s", f"{key}={value}"]
    env = {**crawl_env(), **replica.env}
    process = subprocess.run(
        command,
        check=False,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=RUN_TIMEOUT,
    )
    return process.returncode, read_feed(feed)


def sites_argument(day: DayNetwork) -> str:
    return "all" if set(day.hosts) == set(SITES) else ",".join(day.hosts)


def run_column(day: DayNetwork, args: argparse.Namespace, mode: str, discover: str, folder: Path) -> Column:
    name = mode if discover == DEFAULT_DISCOVERY else f"{mode} discover={discover}"
    column = Column(name, mode, discover, update_horizon=update_horizon(mode, discover))
    for sub in ("feeds", "logs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    clock = folder / "clock.txt"
    clock.write_text(day.start.isoformat(), encoding="utf-8")
    log_path = folder / "requests.jsonl"
    command = [sys.executable, "-m", "benchmarks.schedule_network", "--port", "0", "--log", str(log_path)]
    command += ["--clock-file", str(clock), *day_arguments(args)]
    started = time.perf_counter()
    replica = launch(command, log_path, today=day.start.date())
    log = LogReader(log_path)
    by_key = {article_key(a.url): a for a in day.articles}
    first_seen: dict[str, datetime] = {}
    updates_seen: dict[str, datetime] = {}
    try:
        since = (day.start - timedelta(days=args.history_days)).date().isoformat()
        # Sitemaps too: the daily index shows 10 pages (docs/site.md), fewer than www publishes in a day.
        warm_args = {"sites": sites_argument(day), "since": since, "discover": "sections,index,sitemaps"}
        code, items = crawl(
            folder,
            "warmup",
            replica,
            args=warm_args,
            settings={**WARMUP_SETTINGS, **MODES[mode], "TRIBUN_NOW": day.start.isoformat()},
        )
        column.warmup_requests = sum(1 for e in log.new_entries() if e.get("method") != "CONNECT")
        column.warmup_articles = len(items)
        for item in items:
            first_seen.setdefault(article_key(item["url"]), day.start)
        known_before = set(first_seen)
        run_args = {"sites": sites_argument(day)}
        discovery = effective_discovery(mode, discover)
        if discovery != DEFAULT_DISCOVERY:
            run_args["discover"] = discovery
        for k in range(1, day.steps + 1):
            now = day.step_time(k)
            clock.write_text(now.isoformat(), encoding="utf-8")
            code, items = crawl(
                folder, f"step-{k:03d}", replica, args=run_args, settings={**MODES[mode], "TRIBUN_NOW": now.isoformat()}
            )
            column.runs += 1
            if code != 0:
                column.failed_runs[str(code)] = column.failed_runs.get(str(code), 0) + 1
            column.count(log.new_entries())
            column.lines += len(items)
            for item in items:
                key = article_key(item["url"])
                first_seen.setdefault(key, now)
                update = day.updates.get(by_key[key].key) if key in by_key else None
                if update is not None and now >= update.at and modified_since(item, update.at):
                    updates_seen.setdefault(key, now)
            if args.progress:
                print(f"  {name}: step {k}/{day.steps} {now:%H:%M} exit {code}, {len(items)} emitted", flush=True)
    finally:
        replica.stop()
    column.wall_s = time.perf_counter() - started
    score(column, day, first_seen, known_before, updates_seen)
    return column


def score(
    column: Column,
    day: DayNetwork,
    first_seen: dict[str, datetime],
    known_before: set[str],
    updates_seen: dict[str, datetime],
) -> None:
    """The column's figures from when each article (and each update) was first emitted (by article key)."""
    column.requests = {kind: column.requests.get(kind, 0) for kind in KINDS}
    column.bytes = {kind: column.bytes.get(kind, 0) for kind in KINDS}
    last = day.step_time(day.steps)
    in_steps = {article_key(a.url) for a in day.published_between(day.start, last)}
    column.new_articles = len(set(first_seen) & in_steps)
    column.older_first_emitted = len(set(first_seen) - known_before - in_steps)
    for article in day.published_between(day.start, last):
        key = article_key(article.url)
        column.published += 1
        if key in first_seen and first_seen[key] > day.start:
            column.delays_min.append((first_seen[key] - article.published).total_seconds() / 60)
        elif key not in first_seen:
            late = article.published > last - MAX_POLL_INTERVAL
            (column.pending if late else column.missed).append(article.url)
        update = day.updates.get(article.key)
        if update is not None and update.at <= last:
            column.updates_due += 1
            if key in updates_seen:
                column.updates_emitted += 1
                column.update_delays_min.append((updates_seen[key] - update.at).total_seconds() / 60)
            elif update.at > last - column.update_horizon:
                column.updates_pending += 1


def effective_discovery(mode: str, discover: str) -> str:
    """The ``-a discover=`` value a column runs with (:data:`DEFAULT_DISCOVERY`: none given)."""
    if discover == DEFAULT_DISCOVERY:
        return MODE_DISCOVERY.get(mode, DEFAULT_DISCOVERY)
    return discover


def update_horizon(mode: str, discover: str) -> timedelta:
    """How long after it is made an update may still be pending under ``mode``: a site is discovered at least every
    :data:`MAX_POLL_INTERVAL`, and when its sitemaps show its updates (``sitemaps``, or ``changes``: the crawler's
    default) its web sitemap is read at least every ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` at the site's next discovery
    after that."""
    discovery = effective_discovery(mode, discover)
    if discovery != DEFAULT_DISCOVERY and "sitemaps" not in discovery and "changes" not in discovery:
        return MAX_POLL_INTERVAL
    seconds = MODES[mode].get("TRIBUN_CHANGE_SITEMAP_INTERVAL")
    interval = CHANGE_SITEMAP_INTERVAL if seconds is None else timedelta(seconds=float(seconds))
    return MAX_POLL_INTERVAL + interval


def modified_since(item: dict[str, Any], moment: datetime) -> bool:
    """The item's ``dateModified`` is at or after ``moment`` (to the minute: pages print minutes)."""
    value = item.get("dateModified")
    if not value:
        return False
    return int(datetime.fromisoformat(value).timestamp()) // 60 >= int(moment.timestamp()) // 60


def day_arguments(args: argparse.Namespace) -> list[str]:
    """The options that rebuild the same day in the server process."""
    return [
        *("--hosts", str(args.hosts), "--seed", str(args.seed), "--day", args.day.isoformat()),
        *("--history-days", str(args.history_days), "--start-time", args.start_time.isoformat("minutes")),
        *("--steps", str(args.steps), "--step-minutes", str(args.step_minutes)),
    ]


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} min"


def table(columns: Sequence[Column]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("", *(c.name for c in columns))]

    def row(label: str, values: Iterable[str]) -> None:
        rows.append((label, *values))

    row("runs (exit status not 0)", (f"{c.runs} ({sum(c.failed_runs.values())})" for c in columns))
    row("articles published in the day", (f"{c.published:,}" for c in columns))
    row("new articles emitted", (f"{c.new_articles:,}" for c in columns))
    row("older articles first emitted", (f"{c.older_first_emitted:,}" for c in columns))
    row("feed lines (incl. updates)", (f"{c.lines:,}" for c in columns))
    row("requests", (f"{c.total_requests:,}" for c in columns))
    row("requests per new article", (f"{c.requests_per_new_article:.2f}" for c in columns))
    for kind in KINDS:
        row(f"  {kind}", (f"{c.requests[kind]:,}" for c in columns))
    row("bytes transferred", (f"{c.total_bytes / 1e6:,.1f} MB" for c in columns))
    row("  of which articles", (f"{c.bytes['article'] / 1e6:,.1f} MB" for c in columns))
    row("delay to feed, median", (_minutes(c.delay(0.5)) for c in columns))
    row("delay to feed, p95", (_minutes(c.delay(0.95)) for c in columns))
    row("delay to feed, max", (_minutes(max(c.delays_min, default=None)) for c in columns))
    row("articles missed", (f"{len(c.missed):,}" for c in columns))
    row("  pending at the end (< 2 h old)", (f"{len(c.pending):,}" for c in columns))
    row("updates emitted / due", (f"{c.updates_emitted} / {c.updates_due}" for c in columns))
    row(
        "  pending at the end (young)",
        (f"{c.updates_pending} (< {c.update_horizon.total_seconds() / 3600:g} h old)" for c in columns),
    )
    row("update delay, median", (_minutes(percentile(c.update_delays_min, 0.5)) for c in columns))
    row("update delay, max", (_minutes(max(c.update_delays_min, default=None)) for c in columns))
    row("warm-up requests (not counted)", (f"{c.warmup_requests:,}" for c in columns))
    row("wall time", (f"{c.wall_s / 60:,.1f} min" for c in columns))
    return rows


def ratios(columns: Sequence[Column]) -> list[str]:
    """Each column's requests, bytes and requests per new article against the first column's."""
    base = columns[0]
    lines = []
    for other in columns[1:]:
        parts = [
            f"requests {other.total_requests / max(base.total_requests, 1):.2f}x",
            f"bytes {other.total_bytes / max(base.total_bytes, 1):.2f}x",
            "requests per new article "
            f"{other.requests_per_new_article / max(base.requests_per_new_article, 1e-9):.2f}x",
        ]
        lines.append(f"{other.name} / {base.name}: " + ", ".join(parts))
    return lines


def print_report(day: DayNetwork, args: argparse.Namespace, columns: Sequence[Column]) -> None:
    print()
    print(
        f"simulated: {len(day.hosts)} sites, {day.steps} runs every {args.step_minutes} min from "
        f"{day.start:%Y-%m-%d %H:%M} WIB, {args.history_days} history days, seed {args.seed}; "
        f"{len(day.articles):,} articles in all, {len(day.updates)} updated"
    )
    rows = table(columns)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join([r[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True))]))
    for line in ratios(columns):
        print(line)
    for column in columns:
        for url in column.missed[:5]:
            print(f"  {column.name}: missed {url}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_day_arguments(parser)
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument(
        "--discover",
        default=DEFAULT_DISCOVERY,
        help="comma-separated discover values to run each mode with: default (no -a discover=), sitemaps, ...",
    )
    parser.add_argument(
        "--quick", action="store_true", help="12 sites x 16 steps from 08:00, 1 history day (a smoke test)"
    )
    parser.add_argument("--workdir", type=Path, help="keep state, feeds, logs and request logs here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--progress", action="store_true", help="print a line per run")
    args = parser.parse_args(argv)
    if args.quick:
        args.hosts, args.steps, args.start_time, args.history_days = 12, 16, day_time(8, 0), 1
    args.mode_list = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in args.mode_list if m not in MODES]
    if unknown or not args.mode_list:
        parser.error(f"--modes: unknown {', '.join(unknown) or '(none given)'}; modes are {', '.join(MODES)}")
    args.discover_list = [d.strip() for d in args.discover.split(",") if d.strip()] or [DEFAULT_DISCOVERY]
    return args


def run(args: argparse.Namespace, workdir: Path) -> tuple[DayNetwork, list[Column]]:
    day = day_from_args(args)
    columns = []
    for mode in args.mode_list:
        for discover in args.discover_list:
            folder = workdir / (mode if discover == DEFAULT_DISCOVERY else f"{mode}-{discover.replace(',', '+')}")
            shutil.rmtree(folder, ignore_errors=True)
            print(f"{mode} (discover {discover}): {day.steps} runs in {folder}", flush=True)
            columns.append(run_column(day, args, mode, discover, folder))
    return day, columns


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        day, columns = run(args, args.workdir.resolve())
    else:
        folder = Path(tempfile.mkdtemp(prefix="tribun-schedule-"))
        try:
            day, columns = run(args, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print_report(day, args, columns)
    if args.json:
        result = {
            "command": " ".join(["python", "benchmarks/schedule.py", *(argv if argv is not None else sys.argv[1:])]),
            "sites": len(day.hosts),
            "steps": day.steps,
            "step_minutes": args.step_minutes,
            "start": day.start.isoformat(),
            "seed": args.seed,
            "columns": [c.summary() for c in columns],
        }
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
