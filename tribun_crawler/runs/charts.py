"""The page of past runs: one matplotlib chart per measure (``reports.MEASURES``), inlined as SVG, and a table.

matplotlib is the optional ``report`` extra (``requirements-report.txt``): only the ``report`` command imports
this module, once it knows matplotlib is there. Figures are made with ``matplotlib.figure.Figure`` (no pyplot,
no global state) on the non-interactive Agg backend, so the command runs headless (cron, CI).

The page is self-contained: no script, no style sheet, font or image fetched from anywhere. Each chart is an
``<figure class="chart" id="chart-<measure>">`` holding an inline ``<svg>`` (text kept as text, not paths),
so the page can be mailed or archived as one file.
"""

from __future__ import annotations

import html
import io
import itertools
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tribun_crawler.runs.reports import (
    MEASURES,
    CoverageDrop,
    Measure,
    Run,
    Series,
    coverage_drops,
    coverage_series,
)

#: Colours of the series, in order (matplotlib's tab10); past ten, lines repeat them dashed, then dotted, so the
#: two dozen coverage fields stay apart.
PALETTE = "tab10"
LINE_STYLES = ("-", "--", ":")
#: No metadata block in the SVG (it names matplotlib's web site and the time it was drawn).
SVG_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}
SVG_ROOT_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
SVG_ID = re.compile(r' id="([^"]*)"')
SVG_REFERENCE = re.compile(r'href="#([^"]*)"|url\(#([^)]*)\)')

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin: 0 0 .3em; }
.summary, figcaption, .skipped { color: #444; }
nav a { margin-right: 1em; }
figure.chart { margin: 1.5em 0; padding: .8em; border: 1px solid #ddd; border-radius: 4px; }
figure.chart svg { max-width: 100%; height: auto; }
ul.drops li { color: #b00; }
table.runs { border-collapse: collapse; width: 100%; font-size: .9em; }
table.runs th, table.runs td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left;
  vertical-align: top; }
table.runs td.number { text-align: right; }
table.runs td.failed { color: #b00; font-weight: bold; }
table.runs ul { margin: 0; padding-left: 1.1em; }
"""


def measure_series(measure: Measure, runs: Sequence[Run], fields: Sequence[str] | None = None) -> Series:
    """The series a chart is drawn from (``fields`` chooses the coverage chart's fields)."""
    if measure.id == "coverage":
        return coverage_series(runs, fields)
    return measure.series(runs)


def bar_width(runs: Sequence[Run]) -> float:
    """Width of a run's bar in days: most of the shortest gap between two runs, at most most of a day."""
    gaps = [(later.started - earlier.started).total_seconds() / 86400 for earlier, later in itertools.pairwise(runs)]
    positive = [gap for gap in gaps if gap > 0]
    return min(0.7, 0.7 * min(positive)) if positive else 0.5


def draw(measure: Measure, runs: Sequence[Run], series: Series, drops: Sequence[CoverageDrop] = ()) -> Figure:
    """The chart of one measure: x is the start of each run (UTC), one line (or stacked bar) per series."""
    many = len(series) > 6
    fig = Figure(figsize=(10, 4.6 if many else 3.4), layout="constrained")
    ax = fig.add_subplot()
    colours = matplotlib.colormaps[PALETTE]
    x = date2num([run.started for run in runs])
    dropped_fields = {drop.field for drop in drops}
    if measure.kind == "stacked":
        width = bar_width(runs)
        bottom = [0.0] * len(runs)
        for index, (name, values) in enumerate(series.items()):
            heights = [value or 0.0 for value in values]
            ax.bar(x, heights, width=width, bottom=bottom, label=name, color=colours(index % 10))
            bottom = [low + height for low, height in zip(bottom, heights, strict=True)]
        peak = max(bottom, default=0.0)
    else:
        for index, (name, values) in enumerate(series.items()):
            ys = [math.nan if value is None else value for value in values]
            thick = name in dropped_fields or (index == 0 and len(series) <= 6)
            ax.plot(
                x, ys, marker="o", markersize=3.5, linewidth=2.4 if thick else 1.3, label=name,
                color=colours(index % 10), linestyle=LINE_STYLES[index // 10 % len(LINE_STYLES)],
            )  # fmt: skip
        peak = max((value for values in series.values() for value in values if value is not None), default=0.0)
    if measure.id == "articles":
        emitted = series.get("emitted", [])
        failed = [
            (at, value)
            for at, run, value in zip(x, runs, emitted, strict=True)
            if value is not None and run.report["exit_code"] != 0
        ]
        if failed:
            ax.scatter(
                [at for at, _ in failed], [value for _, value in failed], s=110, facecolors="none",
                edgecolors="#c00000", linewidths=1.6, zorder=3, label="exit status not 0",
            )  # fmt: skip
    for drop in drops:
        ax.annotate(
            f"{drop.field} {drop.before:.0%} → {drop.after:.0%}", (x[drop.run], drop.after),
            xytext=(8, -14), textcoords="offset points", color="#c00000", fontsize="small",
            arrowprops={"arrowstyle": "-", "color": "#c00000"},
        )  # fmt: skip
    if measure.share:
        ax.set_ylim(-0.02, 1.02)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    else:
        ax.set_ylim(0, max(1.0, peak * 1.08))
        if measure.integer:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = AutoDateLocator(tz=UTC)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=UTC))
    ax.set_ylabel(measure.ylabel)
    ax.set_xlabel("start of the run (UTC)")
    ax.grid(True, color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    if series:
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small",
            ncols=2 if len(series) > 12 else 1,
        )  # fmt: skip
    return fig


def svg(fig: Figure, title: str) -> str:
    """The figure as an ``<svg>`` element to inline in HTML: no XML prolog, DOCTYPE, metadata or namespaces."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    root_end = text.index(">")
    root = SVG_ROOT_NAMESPACES.sub("", text[:root_end])
    text = f'{root} role="img" aria-label="{html.escape(title)}"{text[root_end:]}'.strip()
    # matplotlib names its groups figure_1, axes_1 … in every figure: in one page those ids would repeat. Only
    # the ids something refers to (markers, clip paths: random, unique) are kept.
    referenced = {first or second for first, second in SVG_REFERENCE.findall(text)}
    return SVG_ID.sub(lambda match: match.group(0) if match.group(1) in referenced else "", text)


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _drop_item(drop: CoverageDrop, runs: Sequence[Run]) -> str:
    return (
        f"<li><b>{html.escape(drop.field)}</b> fell from {drop.before:.0%} to {drop.after:.0%} "
        f"in the run started {_time(runs[drop.run].started)}</li>"
    )


def runs_table(runs: Sequence[Run], folder: Path) -> str:
    """The table of runs: start, finish reason, exit status, articles, duration, problems, report file."""
    rows = []
    for run in runs:
        report = run.report
        problems = [str(problem) for problem in report.get("problems") or []]
        listed = "<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in problems) + "</ul>" if problems else "—"
        try:
            name = str(run.path.relative_to(folder))
        except ValueError:
            name = str(run.path)
        exit_class = "number failed" if report["exit_code"] != 0 else "number"
        rows.append(
            '<tr class="run">'
            f"<td>{_time(run.started)}</td>"
            f"<td>{html.escape(report['finish_reason'])}</td>"
            f'<td class="{exit_class}">{report["exit_code"]}</td>'
            f'<td class="number">{report["articles"]}</td>'
            f'<td class="number">{run.minutes:.1f}</td>'
            f"<td>{listed}</td>"
            f"<td><code>{html.escape(name)}</code></td>"
            "</tr>"
        )
    head = "".join(
        f"<th>{name}</th>"
        for name in ("start (UTC)", "finish reason", "exit", "articles", "minutes", "problems", "report")
    )
    return (
        f'<table class="runs" id="runs"><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def page(
    runs: Sequence[Run],
    folder: Path,
    skipped: Sequence[str] = (),
    fields: Sequence[str] | None = None,
    png_dir: Path | None = None,
) -> str:
    """The HTML page of ``runs`` (oldest first); with ``png_dir``, each chart is also saved as ``<id>.png`` there."""
    spiders = ", ".join(dict.fromkeys(run.report["spider"] for run in runs))
    drops = coverage_drops(runs, fields=fields)
    figures = []
    for measure in MEASURES:
        series = measure_series(measure, runs, fields)
        fig = draw(measure, runs, series, drops if measure.id == "coverage" else ())
        if png_dir is not None:
            png_dir.mkdir(parents=True, exist_ok=True)
            fig.savefig(png_dir / f"{measure.id}.png", format="png", dpi=110)
        extra = ""
        if measure.id == "coverage" and drops:
            extra = '<ul class="drops">' + "".join(_drop_item(drop, runs) for drop in drops) + "</ul>"
        figures.append(
            f'<figure class="chart" id="chart-{measure.id}" data-measure="{measure.id}">\n'
            f"<h2>{html.escape(measure.title)}</h2>\n{svg(fig, measure.title)}\n"
            f"<figcaption>{html.escape(measure.description)}</figcaption>{extra}\n</figure>"
        )
    nav = " ".join(f'<a href="#chart-{m.id}">{html.escape(m.title)}</a>' for m in MEASURES)
    skipped_note = ""
    if skipped:
        items = "".join(f"<li>{html.escape(message)}</li>" for message in skipped)
        skipped_note = (
            f'<details class="skipped"><summary>{len(skipped)} file(s) left out</summary><ul>{items}</ul></details>'
        )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Runs of {html.escape(spiders)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Runs of {html.escape(spiders)}</h1>
<p class="summary">{len(runs)} runs from {_time(runs[0].started)} to {_time(runs[-1].started)} UTC, read from
<code>{html.escape(str(folder))}</code>; drawn {generated}.</p>
{skipped_note}
<nav>{nav} <a href="#runs">Runs</a></nav>
{chr(10).join(figures)}
<h2>Runs</h2>
{runs_table(runs, folder)}
</body>
</html>
"""
