"""Adaptive polling: whether a host's discovery (hubs, daily index, sitemaps) is due in this run.

A pure estimator, no I/O: the spider gives it what the state store holds of a host (the publication times of its
recent articles, the time of its last discovery) and the run's present moment (:func:`tribun_crawler.clock.crawl_now`),
and it answers *due* or *not due*, with the reason and the number of new articles it expects.

**Model.** A host publishes as a Poisson process whose rate depends on the hour of the day in the host's own time
(WIB, WITA or WIT: newsrooms work by the local clock), ``λ(h)`` articles per hour for ``h`` = 0 … 23. This is the
model of Sia, Cho and Cho, "Efficient monitoring algorithm for fast news alerts" (IEEE TKDE 19(7), 2007), who
monitor news sources to retrieve new postings soon after they appear, with a posting rate that varies over the
day; and estimating such a rate from what earlier visits saw is the problem of Cho and Garcia-Molina,
"Estimating frequency of change" (ACM TOIT 3(3), 2003). Here the events are observed directly: every article the
store recorded carries its ``datePublished``, so the rate of hour ``h`` is the maximum-likelihood estimate of a
Poisson rate, events over exposure, both counted over the last :data:`HISTORY` with exponential weights
(half-life :data:`HALF_LIFE`, so the estimate follows a host whose output changes), and shrunk towards the host's
mean rate over the whole day by a Gamma prior (the Poisson's conjugate) worth :data:`PRIOR_HOURS` of observation:
an hour in which the host never published keeps a small rate. The rule below (poll once the expected number of new
articles reaches a threshold) is a simple stand-in for the optimised schedules of that literature, bounded by a
minimum and a maximum interval.

The hours are the site's own (``per_hour[9]`` is 09:00-10:00 WIT for a site in Papua), which is what the rates
read as in logs and tests; since WIB, WITA and WIT are whole hours from UTC, the hour boundaries are the same
instants in any zone, and the decision depends only on the instants of publication, not on the zone they are
written in.

Observation is complete only up to the last discovery (what the host published since is unknown until its listings
are read), so the exposure ends there; it starts at the oldest publication known within the history, so a host
whose articles the store has held only a day is judged on that day, not on thirteen empty ones.

**Rule.** The number of new articles expected since the last discovery is ``E = ∫ λ(h(t)) dt`` over
(last discovery, now]. A host is due when

- it was never discovered (or its last discovery lies after now: a simulation started again), or
- ``E ≥ threshold`` (``TRIBUN_POLL_THRESHOLD``), or
- ``now - last ≥ delay_target`` (``TRIBUN_POLL_DELAY_TARGET``, 1 h) and ``E ≥`` :data:`WORTH_A_LOOK`: a host
  that publishes less than one article per delay target (a small regional site, 10 to 30 a day) would otherwise
  wait for its threshold far longer than the publication-to-feed delay users expect (p95 85 minutes on a
  simulated day of the whole network, docs/performance.md); at night, when it is expected to publish nothing,
  it still waits, or
- ``now - last ≥ max_interval`` (``TRIBUN_MAX_POLL_INTERVAL``): a host whose rate says nothing is still looked at;

and never when ``now - last < min_interval`` (``TRIBUN_MIN_POLL_INTERVAL``, the cron period: a run started right
after another polls nothing again). Both intervals are compared with :data:`TOLERANCE` of slack, since runs of a
cron period start a few seconds early or late against the time their predecessor recorded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

#: How far back publication times are read.
HISTORY = timedelta(days=14)
#: Half-life of the weight of an observation: a week-old article counts a quarter of one published today.
HALF_LIFE = timedelta(days=3.5)
#: Weight of the prior of each hour's rate, in hours of observation at the host's mean rate.
PRIOR_HOURS = 0.25
#: New articles expected since the last discovery that make a host due once the delay target has passed: about
#: two chances in five that something is waiting (1 - e^-0.5); below it the host is taken to be quiet (its night:
#: a site publishing 6 an hour by day is expected to publish about 0.2 in a night hour).
WORTH_A_LOOK = 0.5
#: Slack of the interval comparisons: a cron run starts a little early or late against the time the run before it
#: recorded (which is its own start).
TOLERANCE = timedelta(seconds=60)

_HOUR = timedelta(hours=1)


class Reason(StrEnum):
    """Why a host is due, or not."""

    NEW = "new"
    """Never discovered: due."""
    LIKELY = "likely"
    """New articles expected since the last discovery reach the threshold: due."""
    DELAY_TARGET = "delay_target"
    """The delay target has passed and an article may well be waiting: due."""
    MAX_INTERVAL = "max_interval"
    """The maximum interval has passed: due, whatever the rate."""
    TOO_SOON = "too_soon"
    """Discovered less than the minimum interval ago: not due."""
    UNLIKELY = "unlikely"
    """Too few new articles expected yet: not due."""


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """The thresholds of the rule (module docstring), from the ``TRIBUN_*_POLL_*`` settings."""

    threshold: float
    """Expected new articles that make a host due."""
    min_interval: timedelta
    max_interval: timedelta
    delay_target: timedelta | None = None
    """Once this long has passed, a host with :data:`WORTH_A_LOOK` new articles expected is due; None: no target."""

    @classmethod
    def from_settings(cls, settings: Any) -> PollPolicy:
        target = settings.getfloat("TRIBUN_POLL_DELAY_TARGET")
        return cls(
            threshold=settings.getfloat("TRIBUN_POLL_THRESHOLD"),
            min_interval=timedelta(seconds=settings.getfloat("TRIBUN_MIN_POLL_INTERVAL")),
            max_interval=timedelta(seconds=settings.getfloat("TRIBUN_MAX_POLL_INTERVAL")),
            delay_target=timedelta(seconds=target) if target > 0 else None,
        )

    def __post_init__(self) -> None:
        if self.threshold <= 0:
            raise ValueError(f"TRIBUN_POLL_THRESHOLD must be above 0, got {self.threshold}")
        if not timedelta(0) <= self.min_interval <= self.max_interval:
            raise ValueError(
                "TRIBUN_MIN_POLL_INTERVAL must be between 0 and TRIBUN_MAX_POLL_INTERVAL, got "
                f"{self.min_interval.total_seconds():g} and {self.max_interval.total_seconds():g} s"
            )


@dataclass(frozen=True, slots=True)
class PollDecision:
    due: bool
    reason: Reason
    expected: float
    """New articles expected since the last discovery (0 when the rule did not need the rate)."""


def _weight(age: timedelta) -> float:
    return 0.5 ** (age / HALF_LIFE)


def _hour_start(moment: datetime, tz: tzinfo) -> datetime:
    """The start of the local hour ``moment`` falls in."""
    return moment.astimezone(tz).replace(minute=0, second=0, microsecond=0)


def _hour_slots(start: datetime, end: datetime, tz: tzinfo) -> Iterable[tuple[int, datetime, timedelta]]:
    """(local hour of day, middle, length) of each piece of (start, end] cut at the host's hour boundaries."""
    slot = _hour_start(start, tz)
    while slot < end:
        following = slot + _HOUR
        piece_start, piece_end = max(slot, start), min(following, end)
        if piece_end > piece_start:
            yield slot.hour, piece_start + (piece_end - piece_start) / 2, piece_end - piece_start
        slot = following


@dataclass(frozen=True, slots=True)
class HourlyRate:
    """A host's publishing rate per local hour of day, articles per hour."""

    per_hour: tuple[float, ...]
    tz: tzinfo

    @classmethod
    def estimate(cls, published: Iterable[datetime], *, observed_until: datetime, tz: tzinfo) -> HourlyRate:
        """The rates from the publication times of (at most :data:`HISTORY` before) ``observed_until``.

        Weights age from ``observed_until``; articles published after it (seen by a later run) are left out, as
        the exposure ends there.
        """
        first = observed_until - HISTORY
        times = sorted(t for t in published if first <= t <= observed_until)
        counts = [0.0] * 24
        exposure = [0.0] * 24
        if not times:
            return cls(tuple(counts), tz)
        for moment in times:
            counts[moment.astimezone(tz).hour] += _weight(observed_until - moment)
        for hour, middle, length in _hour_slots(times[0], observed_until, tz):
            exposure[hour] += _weight(observed_until - middle) * (length / _HOUR)
        total_exposure = sum(exposure)
        if total_exposure <= 0:  # every article published at the very moment of the last discovery
            total_exposure = 1 / 60
        mean = sum(counts) / total_exposure
        rates = tuple((counts[h] + PRIOR_HOURS * mean) / (exposure[h] + PRIOR_HOURS) for h in range(24))
        return cls(rates, tz)

    def expected_between(self, start: datetime, end: datetime) -> float:
        """Articles expected in (start, end]: the integral of the hourly rate."""
        return sum(self.per_hour[hour] * (length / _HOUR) for hour, _, length in _hour_slots(start, end, self.tz))


def by_interval(last_discovery: datetime | None, now: datetime, policy: PollPolicy) -> PollDecision | None:
    """The decision when the intervals alone make it (never discovered, too soon, past the maximum), else None:
    the rate decides (:func:`decide`), and only then are the host's publication times needed."""
    if last_discovery is None or last_discovery > now:
        return PollDecision(True, Reason.NEW, 0.0)
    elapsed = now - last_discovery
    if elapsed + TOLERANCE < policy.min_interval:
        return PollDecision(False, Reason.TOO_SOON, 0.0)
    if elapsed + TOLERANCE >= policy.max_interval:
        return PollDecision(True, Reason.MAX_INTERVAL, 0.0)
    return None


def decide(
    published: Iterable[datetime],
    last_discovery: datetime | None,
    now: datetime,
    *,
    tz: tzinfo,
    policy: PollPolicy,
) -> PollDecision:
    """Whether a host whose recent articles were published at ``published`` and whose discovery last ran at
    ``last_discovery`` (None: never) is due at ``now``; ``tz`` is the host's time zone (``sites.Site.tz``)."""
    decision = by_interval(last_discovery, now, policy)
    if decision is not None:
        return decision
    assert last_discovery is not None
    rate = HourlyRate.estimate(published, observed_until=last_discovery, tz=tz)
    expected = rate.expected_between(last_discovery, now)
    if expected >= policy.threshold or math.isclose(expected, policy.threshold):
        return PollDecision(True, Reason.LIKELY, expected)
    target = policy.delay_target
    if target is not None and now - last_discovery + TOLERANCE >= target and expected >= WORTH_A_LOOK:
        return PollDecision(True, Reason.DELAY_TARGET, expected)
    return PollDecision(False, Reason.UNLIKELY, expected)
