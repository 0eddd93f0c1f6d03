"""Look at or empty the crawl state without crawling.

    python -m tribun_crawler.state stats         # backend, articles stored, size, runs not finished
    python -m tribun_crawler.state lookup URL    # what the store knows about an article
    python -m tribun_crawler.state polling       # each site's last discovery, recent articles, due now?
    python -m tribun_crawler.state reset         # forget every article (and run), like `-a reset_state=1`

The store is the one the project settings choose (TRIBUN_STATE_BACKEND, TRIBUN_STATE_PATH, REDIS_URL,
TRIBUN_REDIS_PREFIX, all read from the environment); the options below override them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from scrapy.settings import Settings

from tribun_crawler import polling
from tribun_crawler.clock import crawl_now
from tribun_crawler.sites import SITES
from tribun_crawler.state import BACKENDS, StateStore, open_store
from tribun_crawler.state.records import ArticleRecord, key_fingerprint


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("tribun_crawler.settings", priority="project")
    overrides = {
        "TRIBUN_STATE_BACKEND": args.backend,
        "TRIBUN_STATE_PATH": args.path,
        "REDIS_URL": args.redis_url,
        "TRIBUN_REDIS_PREFIX": args.prefix,
    }
    settings.setdict({k: v for k, v in overrides.items() if v is not None}, priority="cmdline")
    return settings


def _time(seconds: float | None) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds is not None else "-"


def _describe(record: ArticleRecord) -> str:
    lines = [
        f"url:        {record.url}",
        f"articleId:  {record.article_id or '-'}",
        f"published:  {_time(record.published)}",
        f"modified:   {_time(record.modified)}",
        f"recorded:   {_time(record.recorded / 1000)}",
        f"body:       {record.body & 0xFFFFFFFFFFFFFFFF:016x}",
    ]
    if record.group is not None:
        lines.append(f"copy of:    group {record.group & 0xFFFFFFFFFFFFFFFF:016x}")
    if record.original is not None:
        lines.append(f"duplicate:  of key {record.original & 0xFFFFFFFFFFFFFFFF:016x}")
    return "\n".join(lines)


def _polling(store: StateStore, settings: Settings) -> list[str]:
    """A line per site: its last discovery, its articles of the last 24 hours, and whether a run now would discover
    it (adaptive polling, ``polling.py``; now is ``TRIBUN_NOW`` when set)."""
    now = crawl_now(settings)
    policy = polling.PollPolicy.from_settings(settings)
    last_discoveries = store.last_discoveries()
    lines = [f"at {now.isoformat(timespec='seconds')}: site, last discovery, articles of the last 24 h, due?"]
    for key, site in SITES.items():
        last_at = last_discoveries.get(key)
        last = datetime.fromtimestamp(last_at, UTC) if last_at is not None else None
        since = (last or now) - polling.HISTORY
        published = [datetime.fromtimestamp(at, UTC) for at in store.publish_times(key, int(since.timestamp()))]
        recent = sum(1 for moment in published if now - moment <= timedelta(days=1))
        decision = polling.decide(published, last, now, tz=site.tz, policy=policy)
        verdict = "due" if decision.due else "not due"
        lines.append(
            f"{key:<12} {_time(last_at):<26} {recent:>5}  {verdict} ({decision.reason}, "
            f"{decision.expected:.2f} expected)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tribun_crawler.state", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=BACKENDS, help="override TRIBUN_STATE_BACKEND")
    parser.add_argument("--path", help="override TRIBUN_STATE_PATH (SQLite file)")
    parser.add_argument("--redis-url", help="override REDIS_URL")
    parser.add_argument("--prefix", help="override TRIBUN_REDIS_PREFIX")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("stats", help="backend, number of articles, size, runs not finished")
    lookup = commands.add_parser("lookup", help="the record of one article URL (any variant of it)")
    lookup.add_argument("url")
    commands.add_parser("polling", help="each site's last discovery, recent articles, and whether it is due now")
    commands.add_parser("reset", help="forget every article and run marker")
    args = parser.parse_args(argv)

    settings = _settings(args)
    with open_store(settings) as store:
        if args.command == "stats":
            count, size = store.count(), store.size_bytes()
            per_article = f"{size / count:.0f} bytes/article" if count else "empty"
            print(f"{store.describe()}: {count} articles, {size} bytes ({per_article})")
            starts = sorted(store.open_runs().values())
            if starts:
                opened = ", ".join(_time(started / 1000) for started in starts)
                print(
                    f"unfinished runs: {len(starts)} (opened {opened}): still running, or stopped before the end; "
                    "the next run reads again the articles recorded since the first opened"
                )
        elif args.command == "polling":
            print("\n".join(_polling(store, settings)))
        elif args.command == "lookup":
            record = store.get(key_fingerprint(args.url))
            if record is None:
                print(f"not stored: {args.url}")
                return 1
            print(_describe(record))
        else:
            count, runs = store.count(), len(store.open_runs())
            store.reset()
            print(f"emptied {store.describe()} ({count} articles forgotten)")
            if runs:
                print(f"{runs} unfinished run marker(s) cleared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
