"""A simulated day of the Tribun network, served at a clock: what ``benchmarks/schedule.py`` crawls 96 times.

The day (:func:`build_day`, deterministic for a seed) holds the articles of ``hosts`` sites published over the
``history_days`` days before the simulated day and over the simulated steps themselves:

- per-host daily volumes drawn uneven: www about 300 a day, a few big regional sites (:data:`BIG_SITES`) about
  60, every other site 10 to 30 (:func:`daily_volume`);
- a daily rhythm in WIB (:data:`HOURLY_WEIGHTS`): little at night, peaks in the morning and the afternoon;
- articles rendered as ``benchmarks/replica_cache.py`` renders them (current templates, multi-page articles,
  "Baca juga" lines, ads, variants of links), their related links and "Baca juga" pointing only to articles of
  the same site published earlier, so a page never links to what is not published yet;
- :data:`UPDATE_SHARE` (5 %) of the articles updated :data:`UPDATE_AFTER` (1 to 5 hours) after publication: a
  later ``dateModified`` and a paragraph added to the body.

:class:`ClockedConfig` serves it through the replica's proxy (``tests/replica/server.py``) at the instant written
in a clock file, read on every request (``--clock-file``; the benchmark writes the step's time there before each
run): homepages, www section hubs, daily indexes (``INDEX_PAGE_SIZE`` 20 per page, the previous day's articles
from 20:00 on too, as on the site), sitemaps (news and web, the last two days, ``lastmod`` the article's last
change) and robots.txt show an article once its publication time is at or before the clock; its URL answers 404
before that; an updated article shows its new version once its update time has come. An empty or missing clock
file is the end of the day (everything published).

    python -m benchmarks.schedule_network --log FILE --clock-file FILE [--port 0] [--hosts 57] [--seed 0]
        [--day YYYY-MM-DD] [--history-days 2] [--start-time HH:MM] [--steps 96] [--step-minutes 15]

prints ``READY <port>`` once listening (as ``python -m tests.replica.server`` does) and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from html import escape
from pathlib import Path
from urllib.parse import parse_qsl

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.replica_cache import (
    BenchNetwork,
    Plan,
    plan_article,
    render_index,
    sentence,
    variant,
)
from tests.replica import pages
from tests.replica.network import INDEX_OVERLAP_FROM, SECTIONS, Article, Era, request_variant
from tests.replica.server import Config, Response, is_browser, is_discovery_page, respond, serve
from tribun_crawler.sites import DEFAULT_SECTIONS, SITES, WIB, site_key

#: Regional sites that publish about as much as a small newsroom's main site: ~60 articles a day.
BIG_SITES = ("wartakota", "jabar", "jatim", "medan", "makassar")
#: Every site, www and the big ones first: ``--hosts N`` takes the first N.
HOST_ORDER = ("www", *BIG_SITES, *(key for key in SITES if key != "www" and key not in BIG_SITES))
#: Relative publication rate per WIB hour of the day (0-23): night, morning peak, lunch dip, afternoon peak.
HOURLY_WEIGHTS = (
    *(0.10, 0.05, 0.05, 0.05, 0.10, 0.30, 0.70, 1.10, 1.50, 1.70, 1.70, 1.50),
    *(1.10, 1.40, 1.60, 1.60, 1.40, 1.10, 0.90, 1.00, 1.00, 0.80, 0.50, 0.30),
)
#: Share of the articles updated after publication, and how long after (seconds, low and high).
UPDATE_SHARE = 0.05
UPDATE_AFTER = (3600, 5 * 3600)
#: Days back a sitemap lists (the replica's rule, pages._recent: today and yesterday).
SITEMAP_DAYS = 2


def daily_volume(site: str, rng: random.Random) -> int:
    """Articles ``site`` publishes on an ordinary day: www ~300, the big regional sites ~60, the others 10-30."""
    if site == "www":
        return rng.randint(280, 320)
    if site in BIG_SITES:
        return rng.randint(50, 70)
    return rng.randint(10, 30)


@dataclass(frozen=True)
class Update:
    at: datetime
    article: Article
    """The article as it reads from ``at`` on."""


class DayView(BenchNetwork):
    """The network as published at one instant (``today`` is that instant's WIB date)."""

    def on_date(self, site: str, day: date, section: str | None = None) -> list[Article]:
        """The daily index of ``day``: its articles, then the previous day's from 20:00 (adjacent days overlap)."""
        own = self._day_index.get((site, day), [])
        late = [
            a
            for a in self._day_index.get((site, day - timedelta(days=1)), [])
            if a.published.time() >= INDEX_OVERLAP_FROM
        ]
        return [a for a in (*own, *late) if section in (None, a.section)]

    def recent(self, site: str, section: str | None = None) -> list[Article]:
        """What a sitemap lists: the articles of the last :data:`SITEMAP_DAYS` local days, newest first."""
        tz = SITES[site].tz
        since = datetime.combine(self.today - timedelta(days=SITEMAP_DAYS - 1), time(), tz)
        return [a for a in self._site_index.get(site, ()) if a.published >= since and section in (None, a.section)]


@dataclass
class DayNetwork:
    """Every article of the simulated day and of the days before it, with their updates."""

    hosts: tuple[str, ...]
    start: datetime
    """The simulation's first instant (00:00 WIB by default): the warm-up run; step ``k`` runs at
    ``start + k * step``."""
    step: timedelta
    steps: int
    articles: tuple[Article, ...]
    """Each article as first published, oldest first."""
    updates: dict[str, Update] = field(default_factory=dict)
    _views: dict[datetime, DayView] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def step_time(self, k: int) -> datetime:
        return self.start + k * self.step

    @property
    def end(self) -> datetime:
        return self.step_time(self.steps)

    def by_url(self) -> dict[str, Article]:
        return {a.url: a for a in self.articles}

    def published_between(self, first: datetime, last: datetime) -> list[Article]:
        """Articles published after ``first`` and at or before ``last``."""
        return [a for a in self.articles if first < a.published <= last]

    def view(self, clock: datetime) -> DayView:
        """The network as published at ``clock`` (built once per clock; a crawl asks at one clock)."""
        with self._lock:
            found = self._views.get(clock)
            if found is None:
                found = self._build_view(clock)
                # The benchmark moves the clock forward only: the previous view is never asked for again.
                self._views = {clock: found}
            return found

    def _build_view(self, clock: datetime) -> DayView:
        shown = []
        for article in self.articles:
            if article.published > clock:
                continue
            update = self.updates.get(article.key)
            shown.append(update.article if update is not None and update.at <= clock else article)
        return DayView(
            generation=1, today=clock.astimezone(WIB).date(), articles=tuple(shown), hosts=self.hosts, days=1
        )


def _publication_times(site: str, day: date, rng: random.Random) -> list[datetime]:
    """When ``site`` publishes on ``day``: its daily volume spread over the WIB hours by the daily rhythm."""
    tz = SITES[site].tz
    times = []
    for hour in rng.choices(range(24), weights=HOURLY_WEIGHTS, k=daily_volume(site, rng)):
        moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), WIB)
        times.append(moment.astimezone(tz))
    return sorted(times)


def _plans(hosts: Sequence[str], days: Sequence[date], seed: int, until: datetime) -> list[Plan]:
    rng = random.Random(f"schedule-plans:{seed}")
    moments = [
        (moment, site)
        for site in hosts
        for day in days
        for moment in _publication_times(site, day, random.Random(f"schedule-times:{seed}:{site}:{day}"))
        if moment <= until
    ]
    moments.sort()
    plans = []
    for index, (moment, site) in enumerate(moments):
        era = Era.WWW_2026 if site == "www" else Era.REGIONAL_2025
        roll = rng.random()
        page_count = 1 if roll < 0.78 else 2 if roll < 0.90 else 3 if roll < 0.96 else 4
        plans.append(Plan(index, site, era, moment, page_count, recent=True))
    return plans


def _link(plans: list[Plan], rng: random.Random) -> None:
    """Related links and "Baca juga" lines to articles of the same site published before (never a later one)."""
    earlier: dict[str, list[Plan]] = {}
    for plan in plans:
        pool = earlier.setdefault(plan.site, [])[-30:]
        for target in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            plan.links.append((target.key, variant(rng, target)))
        for target in rng.sample(pool, min(len(pool), rng.randint(0, 1))):
            plan.baca.append((target.key, variant(rng, target)))
        earlier[plan.site].append(plan)


def _updated(article: Article, at: datetime, rng: random.Random) -> Article:
    """The article after its update: ``dateModified`` at the update, a paragraph added to its first page."""
    local = at.astimezone(article.tz)
    note = f"Update pukul {local:%H.%M}: {sentence(rng, local)}"
    first, *rest = article.pages
    return replace(article, modified=at, pages=((*first, note), *rest))


def build_day(
    *,
    hosts: Sequence[str] = HOST_ORDER,
    day: date,
    history_days: int = 2,
    steps: int = 96,
    step_minutes: int = 15,
    start_time: time = time(),
    seed: int = 0,
) -> DayNetwork:
    """The simulated day from ``start_time`` WIB (midnight by default) of ``day``, ``steps`` steps long, and the
    ``history_days`` days before ``day``: the same arguments always give the same day."""
    unknown = [h for h in hosts if h not in SITES]
    if unknown:
        raise ValueError(f"not sites of tribun_crawler/sites.py: {', '.join(unknown)}")
    start = datetime.combine(day, start_time, WIB)
    step = timedelta(minutes=step_minutes)
    end = start + steps * step
    days = [day + timedelta(days=n) for n in range(-history_days, (end.date() - day).days + 1)]
    plans = _plans(hosts, days, seed, end)
    _link(plans, random.Random(f"schedule-links:{seed}"))
    articles = []
    for plan in plans:
        # Published as first written: dateModified moves only with an update.
        article = plan_article(plan, seed)
        articles.append(replace(article, modified=article.published))
    rng = random.Random(f"schedule-updates:{seed}")
    updates = {}
    for article in articles:
        if article.published > start and rng.random() < UPDATE_SHARE:
            at = article.published + timedelta(seconds=rng.randint(*UPDATE_AFTER))
            at = at.replace(microsecond=0)
            updates[article.key] = Update(at, _updated(article, at, rng))
    return DayNetwork(tuple(hosts), start, step, steps, tuple(articles), updates)


# --- Serving it at a clock --------------------------------------------------------------------------------


def news_sitemap(articles: Sequence[Article]) -> str:
    entries = "".join(
        f"<url>\n<loc><![CDATA[{a.url}]]></loc>\n<news:news>\n<news:publication><news:name>{escape(a.brand)}"
        "</news:name><news:language>id</news:language></news:publication>\n"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>\n"
        f"<news:title><![CDATA[{a.headline}]]></news:title>\n"
        f"<news:keywords><![CDATA[{', '.join(a.keywords)}]]></news:keywords>\n</news:news>\n</url>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{entries}</urlset>\n'
    )


def web_sitemap(articles: Sequence[Article]) -> str:
    entries = "".join(
        f"<url><loc><![CDATA[{a.url}]]></loc><lastmod>{a.modified.isoformat()}</lastmod>"
        "<changefreq>hourly</changefreq><priority>0.8</priority></url>\n"
        for a in articles
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'


def _html(text: str, status: int = 200) -> Response:
    return Response(status, text.encode())


def read_clock(path: Path, default: datetime) -> datetime:
    """The instant in the clock file (ISO 8601 with offset); ``default`` when it is missing or empty."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return default
    return datetime.fromisoformat(text) if text else default


@dataclass
class ClockedConfig(Config):
    """The replica server's configuration for a :class:`DayNetwork` served at the clock in ``clock_file``."""

    day: DayNetwork | None = None
    clock_file: Path | None = None

    def now(self) -> datetime:
        assert self.day is not None
        return read_clock(self.clock_file, self.day.end) if self.clock_file else self.day.end

    def respond(self, host: str, path: str, query: str, user_agent: str) -> Response:
        site = site_key(host)
        if not is_browser(user_agent) or site is None or self.day is None:
            return respond(self, host, path, query, user_agent)  # CloudFront's 403
        if site not in self.day.hosts:
            return _html(pages.render_not_found(site), 404)
        clock = self.now()
        answer = clocked_answer(self.day.view(clock), site, path, query, clock=clock)
        if answer is None:
            return _html(pages.render_not_found(site), 404)
        if answer.status == 200 and is_discovery_page(site, path):
            # A validator of the content, as an origin behind CloudFront may send (docs/site.md: unverified for
            # Tribun): a page that did not change answers a conditional request 304 (tests/replica/server.py).
            answer.headers["ETag"] = '"' + hashlib.sha1(answer.body, usedforsecurity=False).hexdigest()[:20] + '"'
        return answer


def clocked_answer(view: DayView, site: str, path: str, query: str, *, clock: datetime) -> Response | None:
    """The answer of one site of ``view`` (published at ``clock``) to ``path?query``; None: not found."""
    params = dict(parse_qsl(query))
    if path == "/robots.txt":
        return Response(200, pages.robots_txt(site).encode(), "text/plain; charset=UTF-8")
    if path == "/":
        return _html(pages.render_home(view, site, clock))
    if path == "/index-news" or (path == "/indeks" and site != "www"):
        day = view.today
        if params.get("date"):
            try:
                day = date(*(int(part) for part in params["date"].split("-")))
            except (TypeError, ValueError):
                return None
        page = int(params["page"]) if params.get("page", "").isdigit() else 1
        return _html(render_index(view, site, day, page))
    sitemap = pages.sitemap_files(site).get(path)
    if sitemap is not None:
        if sitemap.kind == "index":
            # Each file's lastmod, as the replica's indexes give it (the view answers as a Network at its clock).
            lastmods = {url: pages.sitemap_lastmod(view, url) for url in sitemap.children}
            text = pages.sitemap_index(sitemap.children, lastmods)
        else:
            listed = view.recent(site, sitemap.section)
            text = news_sitemap(listed) if sitemap.kind == "news" else web_sitemap(listed)
        if sitemap.gzip:
            return Response(200, gzip.compress(text.encode(), mtime=0), "application/x-gzip")
        return Response(200, text.encode(), "application/xml; charset=UTF-8")
    article = view.resolve(SITES[site].host, path)
    if article is not None:
        text = pages.render_article(view, article, request_variant(query), amp=path.startswith("/amp/"))
        return _html(text) if text is not None else None
    section = path.strip("/")
    hubs = DEFAULT_SECTIONS if site == "www" else dict(SECTIONS.get(site, ()))
    if section in hubs and site in SECTIONS:
        return _html(pages.render_hub(view, site, section, clock))
    return None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.schedule_network", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--log", type=Path, required=True, help="JSONL request log to append to")
    parser.add_argument("--clock-file", type=Path, required=True, help="file holding the clock (ISO 8601)")
    add_day_arguments(parser)
    return parser.parse_args(argv)


def add_day_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that define a :class:`DayNetwork` (shared with ``benchmarks/schedule.py``)."""
    parser.add_argument("--hosts", type=int, default=len(HOST_ORDER), help="sites, www and the big ones first")
    parser.add_argument("--seed", type=int, default=0, help="content seed (default 0)")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 30), help="simulated day")
    parser.add_argument("--history-days", type=int, default=2, help="days published before the simulated day")
    parser.add_argument("--start-time", type=time.fromisoformat, default=time(), help="first instant, HH:MM WIB")
    parser.add_argument("--steps", type=int, default=96, help="crawler runs (default 96)")
    parser.add_argument("--step-minutes", type=int, default=15, help="minutes between runs (default 15)")


def day_from_args(args: argparse.Namespace) -> DayNetwork:
    return build_day(
        hosts=HOST_ORDER[: args.hosts],
        day=args.day,
        history_days=args.history_days,
        steps=args.steps,
        step_minutes=args.step_minutes,
        start_time=args.start_time,
        seed=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    day = day_from_args(args)
    config = ClockedConfig(
        network=day.view(day.start), log_path=args.log, day=day, clock_file=args.clock_file.resolve()
    )
    return serve(config, args.port)


if __name__ == "__main__":
    sys.exit(main())
