"""Run reports read back from disk, and the series the charts of past runs are drawn from.

No plotting library here: :func:`read_runs` loads every ``*.stats.json`` under a folder (the JSON written by
``extensions.report.RunReport``), and each :data:`MEASURES` entry turns the runs, oldest first, into named
series of one value per run (``None`` where a run has no value: a gap in the line).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: File names of run reports (``<feed>.stats.json``, and ``TRIBUN_REPORT_PATH`` when it follows the pattern).
REPORT_GLOB = "*.stats.json"
#: Keys every run report has, with the JSON types they must have to be charted.
REQUIRED_KEYS: dict[str, type | tuple[type, ...]] = {
    "spider": str,
    "started": str,
    "finished": str,
    "finish_reason": str,
    "exit_code": int,
    "articles": int,
    "pages": dict,
    "coverage": dict,
}
#: Failure reasons drawn one by one in the failed pages chart; the rest are summed as ``other``.
TOP_FAILURE_REASONS = 8
#: A fall of a field's coverage by this much from one run to the next is listed under the coverage chart.
COVERAGE_DROP = 0.2

Series = dict[str, list[float | None]]


class NotARunReport(ValueError):
    """The file is not a run report this command can chart (the message says why)."""


@dataclass(frozen=True)
class Run:
    """One run report: the file it came from, its JSON, and its start and finish times (UTC)."""

    path: Path
    report: dict[str, Any]
    started: datetime
    finished: datetime

    @property
    def minutes(self) -> float:
        return (self.finished - self.started).total_seconds() / 60

    @property
    def coverage_read(self) -> bool:
        """Whether the run read an article: coverage over no article read is 0 for every field, not a measure."""
        read = self.report.get("articles_read")
        return not isinstance(read, int | float) or read > 0


def parse_time(value: Any, key: str) -> datetime:
    """An ISO 8601 time of the report; one without an offset is taken as UTC (Scrapy's start_time is UTC)."""
    if not isinstance(value, str):
        raise NotARunReport(f"{key} is not a time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise NotARunReport(f"{key} is not an ISO 8601 time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_run(path: Path) -> Run:
    """The run report at ``path``; :class:`NotARunReport` when it is unreadable, not JSON, or not a run report."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotARunReport(f"unreadable: {exc}") from exc
    try:
        report = json.loads(text)
    except ValueError as exc:
        raise NotARunReport(f"not JSON: {exc}") from exc
    if not isinstance(report, dict):
        raise NotARunReport(f"not a JSON object but {type(report).__name__}")
    missing = [key for key in REQUIRED_KEYS if key not in report]
    if missing:
        raise NotARunReport("no " + ", ".join(missing))
    for key, kind in REQUIRED_KEYS.items():
        value = report[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            if key == "started" and value is None:
                raise NotARunReport("no start time (the crawl never started)")
            raise NotARunReport(f"{key} is {type(value).__name__}, not {getattr(kind, '__name__', kind)}")
    return Run(path, report, parse_time(report["started"], "started"), parse_time(report["finished"], "finished"))


def read_runs(folder: Path, warn: Callable[[str], None]) -> list[Run]:
    """Every run report under ``folder`` (recursively), oldest first; ``warn`` hears of every file left out.

    A file that is not a run report is left out, never fatal. Copies of one report (the feed's and
    ``TRIBUN_REPORT_PATH``'s in the same tree) count once.
    """
    runs: list[Run] = []
    seen: set[str] = set()
    for path in sorted(folder.rglob(REPORT_GLOB)):
        if path.is_dir():
            continue
        try:
            run = load_run(path)
        except NotARunReport as exc:
            warn(f"{path}: not a run report ({exc}); skipped")
            continue
        key = json.dumps(run.report, sort_keys=True)
        if key in seen:
            warn(f"{path}: a copy of a run report already read; skipped")
            continue
        seen.add(key)
        runs.append(run)
    return sorted(runs, key=lambda run: (run.started, run.finished, str(run.path)))


# --- Series -------------------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _counts(value: Any) -> dict[str, float]:
    """A ``{name: n}`` object of the report, numbers only (an absent or malformed one is empty)."""
    if not isinstance(value, dict):
        return {}
    return {str(name): number for name, count in value.items() if (number := _number(count)) is not None}


def articles_series(runs: Sequence[Run]) -> Series:
    """Articles emitted (in the feed) and articles read (before validation and dedupe)."""
    return {
        "emitted": [_number(run.report["articles"]) for run in runs],
        "read": [_number(run.report.get("articles_read")) for run in runs],
    }


def pages_series(runs: Sequence[Run]) -> Series:
    """Pages fetched: the total and each page type (article, listing, sitemap …) a run counted."""
    kinds = sorted({kind for run in runs for kind in _counts(run.report["pages"]) if kind != "total"})
    series: Series = {"total": [_counts(run.report["pages"]).get("total") for run in runs]}
    for kind in kinds:
        series[kind] = [_counts(run.report["pages"]).get(kind, 0.0) for run in runs]
    return series


def failed_series(runs: Sequence[Run], top: int = TOP_FAILURE_REASONS) -> Series:
    """Failed pages per reason; the ``top`` reasons with the most pages over all runs, the others as ``other``."""
    per_run = [_counts((run.report.get("failed") or {}).get("reasons")) for run in runs]
    totals: Counter[str] = Counter()
    for reasons in per_run:
        totals.update(reasons)
    ranked = [reason for reason, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
    kept, rest = sorted(ranked[:top]), set(ranked[top:])
    series: Series = {reason: [reasons.get(reason, 0.0) for reasons in per_run] for reason in kept}
    if rest:
        series["other"] = [sum(count for reason, count in reasons.items() if reason in rest) for reasons in per_run]
    return series


def coverage_series(runs: Sequence[Run], fields: Sequence[str] | None = None) -> Series:
    """Each field's share of the articles read, 0..1; None for a run that read no article (nothing measured)."""
    names = list(fields) if fields else list(dict.fromkeys(name for run in runs for name in run.report["coverage"]))
    return {
        name: [_number(run.report["coverage"].get(name)) if run.coverage_read else None for run in runs]
        for name in names
    }


@dataclass(frozen=True)
class CoverageDrop:
    """A field's coverage fell by at least :data:`COVERAGE_DROP` from the run before (one with a measure)."""

    run: int
    field: str
    before: float
    after: float


def coverage_drops(
    runs: Sequence[Run], threshold: float = COVERAGE_DROP, fields: Sequence[str] | None = None
) -> list[CoverageDrop]:
    """Every fall of a field's coverage by ``threshold`` or more, run to run: where a template may have changed."""
    drops: list[CoverageDrop] = []
    for name, shares in coverage_series(runs, fields).items():
        previous: float | None = None
        for index, share in enumerate(shares):
            if share is None:
                continue
            if previous is not None and previous - share >= threshold - 1e-9:
                drops.append(CoverageDrop(index, name, previous, share))
            previous = share
    return sorted(drops, key=lambda drop: (drop.run, drop.field))


def fallback_series(runs: Sequence[Run]) -> Series:
    """Articles whose body was read from the page's densest text block (the known container was missing)."""
    return {"body from the densest block": [_number(run.report.get("extract_fallback")) for run in runs]}


def blocked_series(runs: Sequence[Run]) -> Series:
    """How many hosts blocked the crawler (answered 403s or challenges in a row) in each run."""
    return {"hosts blocked": [float(len(_counts(run.report.get("blocked_hosts")))) for run in runs]}


def duration_series(runs: Sequence[Run]) -> Series:
    """Minutes from start to finish."""
    return {"minutes": [round(run.minutes, 2) for run in runs]}


@dataclass(frozen=True)
class Measure:
    """One chart: its id (``chart-<id>`` in the page), title, y axis label, series and how they are drawn.

    ``kind`` is ``lines`` (one line per series) or ``stacked`` (bars of the series stacked, per run);
    ``share`` draws the y axis 0..1.
    """

    id: str
    title: str
    ylabel: str
    series: Callable[[Sequence[Run]], Series]
    description: str
    kind: str = "lines"
    share: bool = False
    integer: bool = True


MEASURES: tuple[Measure, ...] = (
    Measure(
        "articles",
        "Articles emitted",
        "articles",
        articles_series,
        "Articles the run wrote to its feed, and the articles it read (before validation and deduplication). "
        "A red ring marks a run that exited with a non-zero status.",
    ),
    Measure(
        "pages",
        "Pages fetched",
        "pages",
        pages_series,
        "Pages fetched in all (robots.txt aside) and by type of page.",
    ),
    Measure(
        "failed",
        "Failed pages by reason",
        "pages",
        failed_series,
        f"Pages the run asked for and got nothing from, stacked by reason (the {TOP_FAILURE_REASONS} most "
        "frequent reasons, the others as other).",
        kind="stacked",
    ),
    Measure(
        "coverage",
        "Field coverage",
        "share of articles read",
        coverage_series,
        "Share of the articles read that have each field, 0 to 1. A field whose line falls is one the site "
        "stopped giving or the extractor stopped finding: has a template changed? Runs that read no article "
        "have no point.",
        share=True,
        integer=False,
    ),
    Measure(
        "fallback",
        "Fallback extractions",
        "articles",
        fallback_series,
        "Articles whose body was read from the page's densest text block because the known body container "
        "was missing: a template the extractor does not know.",
    ),
    Measure(
        "blocked",
        "Blocked hosts",
        "hosts",
        blocked_series,
        "Hosts that blocked the crawler during the run (403s or challenge pages in a row).",
    ),
    Measure(
        "duration",
        "Duration",
        "minutes",
        duration_series,
        "Minutes from the start of the run to its finish.",
        integer=False,
    ),
)
