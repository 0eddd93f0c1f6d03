"""Charts of past runs: ``python -m tribun_crawler.runs report <folder> -o <page>`` (tribun_crawler/runs/).

A folder of twelve run reports of the shape ``RunReport.build`` writes, a day apart, one of them the run where a
template change took ``articleBody`` coverage from 98 % to 40 %, plus files that are not run reports.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tribun_crawler.extensions.report import ARTICLE_FIELDS
from tribun_crawler.runs.__main__ import main
from tribun_crawler.runs.reports import (
    MEASURES,
    CoverageDrop,
    NotARunReport,
    coverage_drops,
    coverage_series,
    duration_series,
    failed_series,
    load_run,
    read_runs,
)

pytest.importorskip("matplotlib")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIRST_START = datetime(2025, 6, 1, 2, 0, 5, tzinfo=UTC)
RUNS = 12
DROP_RUN = 7  # articleBody coverage 0.98 → 0.40: the site changed its article template
BLOCKED_RUN = 4  # two hosts blocked the crawler
NETWORK_DOWN_RUN = 9  # nothing fetched, nothing read: coverage 0 for every field, not a measure
EXPECTED_CHARTS = {"articles", "pages", "failed", "coverage", "fallback", "blocked", "duration"}
#: Typical coverage of the articles read (the share of each field), for the fields of ArticleItem.
TYPICAL_COVERAGE = {
    "url": 1.0,
    "articleId": 1.0,
    "site": 1.0,
    "headline": 0.99,
    "description": 0.95,
    "articleBody": 0.98,
    "datePublished": 0.97,
    "dateModified": 0.62,
    "datePublishedRaw": 0.97,
    "datePublishedDay": 0.02,
    "authors": 0.9,
    "editors": 0.88,
    "articleSection": 0.93,
    "breadcrumbs": 0.91,
    "keywords": 0.85,
    "mainImage": 0.96,
    "inLanguage": 1.0,
    "pageCount": 0.97,
    "relatedUrls": 0.8,
    "isAccessibleForFree": 0.3,
    "dateDownloaded": 1.0,
    "isBasedOn": 0.04,
    "sourceOrganization": 1.0,
    "duplicateOf": 0.0,
}


def run_report(
    started: datetime,
    *,
    minutes: float = 30.0,
    articles: int = 400,
    finish_reason: str = "finished",
    exit_code: int = 0,
    problems: list[str] | None = None,
    coverage: dict[str, float] | None = None,
    failed: dict[str, int] | None = None,
    blocked_hosts: dict[str, int] | None = None,
    extract_fallback: int = 0,
    pages: int | None = None,
) -> dict[str, Any]:
    """A run report with every key ``RunReport.build`` writes, in its order, with plausible values."""
    read = articles + articles // 10 if articles else 0
    fetched = pages if pages is not None else read + 60
    failed = failed if failed is not None else {"http/404": 3, "download/DownloadTimeoutError": 1}
    shares = {name: TYPICAL_COVERAGE[name] for name in ARTICLE_FIELDS}
    shares.update(coverage or {})
    if read == 0:
        shares = dict.fromkeys(ARTICLE_FIELDS, 0.0)
    failed_pages = [
        {
            "url": f"https://www.tribunnews.com/x/{reason}/{n}",
            "reason": reason,
            "detail": reason,
            "page_type": "article",
        }
        for reason, count in failed.items()
        for n in range(min(count, 20))
    ]
    return {
        "spider": "tribun",
        "started": started.isoformat(timespec="seconds"),
        "finished": (started + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
        "finish_reason": finish_reason,
        "exit_code": exit_code,
        "problems": problems or [],
        "pages": {"total": fetched, "article": read, "listing": max(0, fetched - read - 2), "sitemap": 2}
        if fetched
        else {"total": 0},
        "articles": articles,
        "articles_read": read,
        "dropped": {"short_body": 2} if articles else {},
        "duplicates": {"url": read - articles - 2} if articles else {},
        "skipped": {"known": 120} if articles else {},
        "blocked_hosts": blocked_hosts or {},
        "block_dropped": dict.fromkeys(blocked_hosts or {}, 40),
        "errors": {f"http/{reason.split('/')[1]}": n for reason, n in failed.items() if reason.startswith("http/")},
        "extract_fallback": extract_fallback,
        "coverage": shares,
        "emitted_coverage": {name: 1.0 if share else 0.0 for name, share in shares.items()},
        "failed": {
            "total": sum(failed.values()),
            "reasons": dict(sorted(failed.items())),
            "pages": failed_pages,
            "omitted": {reason: count - 20 for reason, count in sorted(failed.items()) if count > 20},
        },
        "stats": {"item_scraped_count": articles, "start_time": started.isoformat(), "finish_reason": finish_reason},
    }


def reports() -> list[dict[str, Any]]:
    """Twelve daily runs; the drop, the blocked and the network-down runs among them."""
    found = []
    for day in range(RUNS):
        started = FIRST_START + timedelta(days=day, minutes=day % 3)
        kwargs: dict[str, Any] = {"minutes": 25 + 3 * day, "articles": 380 + 7 * day}
        if day == BLOCKED_RUN:
            kwargs.update(
                blocked_hosts={"jakarta.tribunnews.com": 1, "bali.tribunnews.com": 2},
                failed={"http/404": 2, "http/403": 9, "block/dropped": 80},
            )
        if day == DROP_RUN:
            kwargs.update(
                coverage={"articleBody": 0.4, "description": 0.9},
                extract_fallback=35,
                exit_code=5,
                problems=[
                    "only 40% of 471 articles read have articleBody (minimum 90%): has the page template changed?"
                ],
                failed={"unreadable/no-body": 240, "invalid/missing_body": 6, "http/404": 4},
            )
        if day == NETWORK_DOWN_RUN:
            kwargs.update(
                articles=0,
                minutes=2,
                finish_reason="network_down",
                exit_code=6,
                problems=["network unreachable"],
                pages=0,
                failed={"download/DNSLookupError": 30},
            )
        found.append(run_report(started, **kwargs))
    return found


@pytest.fixture
def runs_folder(tmp_path: Path) -> Path:
    """data/tribun/ as the crawler leaves it: feeds, their reports (two in a sub-folder), and stray files."""
    folder = tmp_path / "data" / "tribun"
    (folder / "older").mkdir(parents=True)
    for index, report in enumerate(reports()):
        name = report["started"][:19].replace(":", "-")
        # The two oldest in a sub-folder: read recursively, and ordered by start, not by path.
        where = folder / "older" if index < 2 else folder
        (where / f"{name}.stats.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        (where / f"{name}.jsonl").write_text('{"url": "https://www.tribunnews.com/a"}\n', encoding="utf-8")
    (folder / "2025-06-20T02-00-00.stats.json").write_text('{"spider": "tribun", "started": ', encoding="utf-8")
    (folder / "older" / "scrapy-dump.stats.json").write_text(
        json.dumps({"downloader/request_count": 10, "item_scraped_count": 3}), encoding="utf-8"
    )
    (folder / "settings.json").write_text(json.dumps({"FEEDS": {}}), encoding="utf-8")  # not *.stats.json
    return folder


def charts(page: str) -> dict[str, str]:
    """Each ``<figure class="chart">`` of the page by its measure's id."""
    found = re.findall(r'<figure class="chart" id="chart-([a-z]+)"[^>]*>(.*?)</figure>', page, re.S)
    return dict(found)


def assert_page(page: str) -> None:
    # Self-contained: nothing fetched, no URL at all (the SVG's namespace declarations are dropped too).
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", page, re.I)
    assert "http://" not in page
    assert "https://" not in page
    assert "<script" not in page
    assert "<link" not in page
    assert "<img" not in page
    # Seven SVGs in one document: no id twice, and every reference (markers, clip paths, the links of the
    # page's own menu) finds its target.
    ids = re.findall(r' id="([^"]*)"', page)
    assert len(ids) == len(set(ids))
    references = {first or second for first, second in re.findall(r'href="#([^"]*)"|url\(#([^)]*)\)', page)}
    assert references
    assert references <= set(ids)
    # One chart per measure, each an inline SVG with its title.
    found = charts(page)
    assert len(re.findall(r'<figure class="chart"', page)) == len(MEASURES) == len(EXPECTED_CHARTS)
    assert set(found) == EXPECTED_CHARTS
    for measure in MEASURES:
        assert f"<h2>{measure.title}</h2>" in found[measure.id]
        assert found[measure.id].count("<svg") == 1
        assert "</svg>" in found[measure.id]
    titles = [measure.title for measure in MEASURES]
    assert titles == [
        "Articles emitted",
        "Pages fetched",
        "Failed pages by reason",
        "Field coverage",
        "Fallback extractions",
        "Blocked hosts",
        "Duration",
    ]
    # The coverage chart draws every field and names the drop.
    for name in ARTICLE_FIELDS:
        assert f">{name}<" in found["coverage"]
    assert "<b>articleBody</b> fell from 98% to 40% in the run started 2025-06-08 02:01" in found["coverage"]
    # The table: one row per run, oldest first, with the exit status and the problem of the drop run.
    rows = re.findall(r'<tr class="run">(.*?)</tr>', page, re.S)
    assert len(rows) == RUNS
    starts = [re.search(r"<td>([^<]+)</td>", row).group(1) for row in rows]  # type: ignore[union-attr]
    assert starts == sorted(starts)
    assert starts[0] == "2025-06-01 02:00"
    assert starts[-1] == "2025-06-12 02:02"
    assert '<td class="number failed">5</td>' in rows[DROP_RUN]
    assert "only 40% of 471 articles read have articleBody" in rows[DROP_RUN]
    assert "<td>network_down</td>" in rows[NETWORK_DOWN_RUN]


def test_the_command_writes_one_self_contained_page_of_charts(
    runs_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "runs.html"
    assert main(["report", str(runs_folder), "-o", str(output)]) == 0
    captured = capsys.readouterr()
    assert "12 runs charted" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, captured.err
    assert any("2025-06-20T02-00-00.stats.json: not a run report (not JSON" in line for line in warnings)
    assert any("scrapy-dump.stats.json: not a run report (no spider, started" in line for line in warnings)
    page = output.read_text(encoding="utf-8")
    assert_page(page)
    assert "2 file(s) left out" in page


def test_the_command_runs_as_a_module(runs_folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "runs.html"
    result = subprocess.run(
        [sys.executable, "-m", "tribun_crawler.runs", "report", str(runs_folder), "-o", str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "not a run report (not JSON" in result.stderr
    assert "scrapy-dump.stats.json: not a run report" in result.stderr
    assert_page(output.read_text(encoding="utf-8"))


def test_each_chart_can_also_be_saved_as_png(runs_folder: Path, tmp_path: Path) -> None:
    output, pngs = tmp_path / "runs.html", tmp_path / "png"
    assert main(["report", str(runs_folder), "-o", str(output), "--png", str(pngs)]) == 0
    assert {path.stem for path in pngs.glob("*.png")} == EXPECTED_CHARTS
    for path in pngs.glob("*.png"):
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_coverage_series_shows_the_drop_of_one_field(runs_folder: Path) -> None:
    skipped: list[str] = []
    runs = read_runs(runs_folder, skipped.append)
    assert len(runs) == RUNS
    assert len(skipped) == 2
    assert [run.started for run in runs] == sorted(run.started for run in runs)
    series = coverage_series(runs)
    assert list(series) == list(ARTICLE_FIELDS)
    body = series["articleBody"]
    assert body[DROP_RUN - 1] == 0.98
    assert body[DROP_RUN] == 0.4
    assert body[DROP_RUN + 1] == 0.98
    # The network-down run read no article: no measure (a gap), though its report says 0.0 for every field.
    assert all(shares[NETWORK_DOWN_RUN] is None for shares in series.values())
    assert series["headline"] == [0.99] * NETWORK_DOWN_RUN + [None] + [0.99] * (RUNS - NETWORK_DOWN_RUN - 1)
    # Only articleBody fell by 20 points or more; description's 5-point dip and the gap are no drop.
    assert coverage_drops(runs) == [CoverageDrop(DROP_RUN, "articleBody", 0.98, 0.4)]
    assert coverage_drops(runs, threshold=0.05) == [
        CoverageDrop(DROP_RUN, "articleBody", 0.98, 0.4),
        CoverageDrop(DROP_RUN, "description", 0.95, 0.9),
    ]
    assert coverage_series(runs, ["articleBody"]) == {"articleBody": body}


def test_failed_pages_keep_the_largest_reasons_and_sum_the_rest(runs_folder: Path) -> None:
    runs = read_runs(runs_folder, lambda message: None)
    series = failed_series(runs, top=3)
    # Over the twelve runs: unreadable/no-body 240, block/dropped 80, http/404 33, DNSLookupError 30, …
    assert list(series) == ["block/dropped", "http/404", "unreadable/no-body", "other"]
    assert series["other"][NETWORK_DOWN_RUN] == 30
    assert series["unreadable/no-body"][DROP_RUN] == 240
    for index, run in enumerate(runs):
        assert sum(values[index] or 0 for values in series.values()) == run.report["failed"]["total"]
    assert duration_series(runs)["minutes"][:3] == [25.0, 28.0, 31.0]
    assert duration_series(runs)["minutes"][NETWORK_DOWN_RUN] == 2.0


def test_every_measure_has_one_value_per_run(runs_folder: Path) -> None:
    runs = read_runs(runs_folder, lambda message: None)
    by_id = {measure.id: measure.series(runs) for measure in MEASURES}
    for series in by_id.values():
        assert all(len(values) == RUNS for values in series.values())
    assert by_id["articles"]["emitted"][0] == 380
    assert by_id["articles"]["emitted"][NETWORK_DOWN_RUN] == 0
    assert by_id["blocked"]["hosts blocked"][BLOCKED_RUN] == 2
    assert by_id["blocked"]["hosts blocked"][0] == 0
    assert by_id["fallback"]["body from the densest block"][DROP_RUN] == 35
    assert by_id["pages"]["total"][NETWORK_DOWN_RUN] == 0


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("[1, 2]", "not a JSON object but list"),
        ('{"spider": "tribun"}', "no started, finished"),
        ("", "not JSON"),
        (json.dumps({**run_report(FIRST_START), "started": None}), "no start time"),
        (json.dumps({**run_report(FIRST_START), "started": "yesterday"}), "started is not an ISO 8601 time"),
        (json.dumps({**run_report(FIRST_START), "articles": "many"}), "articles is str, not int"),
        (json.dumps({**run_report(FIRST_START), "exit_code": True}), "exit_code is bool, not int"),
    ],
)
def test_a_file_that_is_no_run_report_is_refused_with_the_reason(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "x.stats.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NotARunReport, match=re.escape(why)):
        load_run(path)


def test_undecodable_and_copied_reports_are_left_out(tmp_path: Path) -> None:
    report = run_report(FIRST_START)
    (tmp_path / "a.stats.json").write_text(json.dumps(report), encoding="utf-8")
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "a.stats.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (tmp_path / "b.stats.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "dir.stats.json").mkdir()
    warned: list[str] = []
    runs = read_runs(tmp_path, warned.append)
    assert len(runs) == 1
    assert runs[0].minutes == 30.0
    assert len(warned) == 2
    assert "b.stats.json: not a run report (unreadable" in warned[0]
    assert "a copy of a run report already read" in warned[1]


def test_no_run_report_exits_1_and_a_missing_folder_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "runs.html"
    assert main(["report", str(tmp_path), "-o", str(output)]) == 1
    assert "no run report" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "absent"), "-o", str(output)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert not output.exists()


def test_without_matplotlib_the_command_exits_2_naming_the_install_command(
    runs_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    output = tmp_path / "runs.html"
    assert main(["report", str(runs_folder), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert "needs matplotlib" in err
    assert "pip install -r requirements-report.txt" in err
    assert not output.exists()


def test_matplotlib_is_no_crawl_dependency() -> None:
    """The extra is pinned in requirements-report.txt and setup.py, never in requirements.txt."""
    requirements = (PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "matplotlib" not in requirements
    extra = (PROJECT_ROOT / "requirements-report.txt").read_text(encoding="utf-8")
    assert re.search(r"^matplotlib==[\d.]+$", extra, re.M)
    pin = re.search(r"^(matplotlib==[\d.]+)$", extra, re.M).group(1)  # type: ignore[union-attr]
    assert f'"report": ["{pin}"]' in (PROJECT_ROOT / "setup.py").read_text(encoding="utf-8")
    assert "requirements-report.txt" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # Importing the crawler, or the series of the runs, imports no plotting library.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, tribun_crawler.settings, tribun_crawler.runs.reports, tribun_crawler.runs.__main__; "
            "print('matplotlib' in sys.modules)",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr
