"""A day of cron runs under adaptive polling, on the estimator alone (a model, not a crawl; not a test).

Every site of ``sites.py`` publishes as an inhomogeneous Poisson process over a newsroom day in its own time zone
(busy 07:00-19:00, quieter evenings, little at night): the flagship about 1,200 articles a day, each regional site
20, 40, 80, 150 or 250 (drawn per site, seeded). The store holds the 14 days before the simulated day. Then a run
every 15 minutes for one day asks :func:`tribun_crawler.polling.decide` which sites are due; a due site's
discovery is taken to find every article published since its previous discovery (a poll sees all of them: hubs and
the daily index list more than two hours of any site), at the run's moment, and costs its discovery requests
(``--www-requests``, default 13: twelve hubs and the daily index; 2 on a regional site: homepage and daily index).

It prints, per policy (every site every run, then each threshold): polls, discovery requests, requests per new
article (discovery requests plus one fetch per article; rechecks, related links and robots.txt left out), and the
delay from publication to the run that finds the article (median, 95th percentile, maximum). What the model leaves
out (crawl duration, pages that fail, rechecks) the day simulation over the replica measures.

    python benchmarks/polling.py                         # thresholds 0.5, 1, 2
    python benchmarks/polling.py --thresholds 1 --www-requests 2
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import sys
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tribun_crawler.polling import HISTORY, PollPolicy, decide
from tribun_crawler.sites import SITES, WIB

#: Relative publishing intensity per local hour of day.
SHAPE = (
    *(0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 0.8, 1.2, 1.5, 1.5, 1.5, 1.4),
    *(1.3, 1.4, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.6, 0.4, 0.2),
)
REGIONAL_PER_DAY = (20, 40, 80, 150, 250)
CRON = timedelta(minutes=15)


def publications(per_day: float, start: datetime, end: datetime, tz: tzinfo, rng: random.Random) -> list[datetime]:
    """Poisson arrivals hour by hour at ``per_day`` shaped by :data:`SHAPE` in the site's zone."""
    times: list[datetime] = []
    hour = start
    while hour < end:
        rate = per_day * SHAPE[hour.astimezone(tz).hour] / sum(SHAPE)
        moment = hour + timedelta(hours=rng.expovariate(rate)) if rate > 0 else hour + timedelta(hours=1)
        while moment < hour + timedelta(hours=1):
            times.append(moment)
            moment += timedelta(hours=rng.expovariate(rate))
        hour += timedelta(hours=1)
    return times


def simulate(
    sites: dict[str, tuple[list[datetime], tzinfo]],
    day: datetime,
    policy: PollPolicy | None,
    requests_per_poll: dict[str, int],
) -> dict[str, float]:
    last = dict.fromkeys(sites, day)
    delays: list[float] = []
    polls = discovery = 0
    now = day + CRON
    while now <= day + timedelta(days=1):
        for key, (published, tz) in sites.items():
            if policy is not None:
                known = published[
                    bisect.bisect_left(published, last[key] - HISTORY) : bisect.bisect_right(published, last[key])
                ]
                if not decide(known, last[key], now, tz=tz, policy=policy).due:
                    continue
            found = published[bisect.bisect_right(published, last[key]) : bisect.bisect_right(published, now)]
            delays += [(now - moment) / timedelta(minutes=1) for moment in found]
            polls += 1
            discovery += requests_per_poll[key]
            last[key] = now
        now += CRON
    return {
        "articles": len(delays),
        "polls": polls,
        "discovery": discovery,
        "per_article": (discovery + len(delays)) / len(delays),
        "median": statistics.median(delays),
        "p95": statistics.quantiles(delays, n=100)[94],
        "max": max(delays),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    parser.add_argument("--www-requests", type=int, default=13, help="discovery requests of a flagship poll")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    day = datetime(2026, 12, 4, tzinfo=WIB)
    sites: dict[str, tuple[list[datetime], tzinfo]] = {}
    for key, site in SITES.items():
        per_day = 1200 if key == "www" else rng.choice(REGIONAL_PER_DAY)
        sites[key] = (publications(per_day, day - HISTORY, day + timedelta(days=1), site.tz, rng), site.tz)
    requests_per_poll = {key: args.www_requests if key == "www" else 2 for key in sites}
    print(f"{len(sites)} sites, one day of runs every {CRON.seconds // 60} min; delays in minutes")
    header = ("policy", "articles", "polls", "disc.req", "req/art", "median", "p95", "max")
    print(f"{header[0]:<22} " + " ".join(f"{name:>8}" for name in header[1:]))
    policies: list[tuple[str, PollPolicy | None]] = [("every site every run", None)]
    policies += [
        (f"threshold {threshold:g}", PollPolicy(threshold, timedelta(minutes=15), timedelta(hours=2)))
        for threshold in args.thresholds
    ]
    for name, policy in policies:
        r = simulate(sites, day, policy, requests_per_poll)
        print(
            f"{name:<22} {r['articles']:>8.0f} {r['polls']:>8.0f} {r['discovery']:>8.0f} {r['per_article']:>8.2f} "
            f"{r['median']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f}"
        )


if __name__ == "__main__":
    main()
