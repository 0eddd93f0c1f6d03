"""Charts of past runs, from their run reports.

    python -m tribun_crawler.runs report data/tribun/ -o runs.html
    python -m tribun_crawler.runs report data/tribun/ -o runs.html --png charts/   # each chart also as PNG

Reads every ``*.stats.json`` under the folder (recursively), oldest run first, and writes one self-contained
HTML page: a chart per measure (articles, pages, failed pages by reason, field coverage, fallback extractions,
blocked hosts, duration) and the table of runs. A file that is not a run report is left out with a warning.

Exit status: 0 page written; 1 no run report found, or the page could not be written; 2 usage error, or
matplotlib (the ``report`` extra) is not installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tribun_crawler.runs.reports import read_runs

INSTALL_HINT = "pip install -r requirements-report.txt  (or: pip install 'tribun_crawler[report]')"


def matplotlib_missing() -> str | None:
    """Why matplotlib cannot be imported, or None when it can."""
    try:
        import matplotlib  # noqa: F401, PLC0415 - the optional report extra, imported by this command only
    except ImportError as exc:
        return str(exc)
    return None


def report(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    missing = matplotlib_missing()
    if missing:
        print(
            f"error: the report command needs matplotlib ({missing}); install it with: {INSTALL_HINT}", file=sys.stderr
        )
        return 2
    from tribun_crawler.runs import charts  # noqa: PLC0415 - imports matplotlib

    skipped: list[str] = []

    def warn(message: str) -> None:
        skipped.append(message)
        print(f"warning: {message}", file=sys.stderr)

    runs = read_runs(folder, warn)
    if not runs:
        print(f"error: no run report (*.stats.json) in {folder}", file=sys.stderr)
        return 1
    fields = [name.strip() for name in args.fields.split(",") if name.strip()] if args.fields else None
    text = charts.page(runs, folder, skipped, fields=fields, png_dir=args.png)
    output: Path = args.output
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: could not write {output}: {exc}", file=sys.stderr)
        return 1
    print(f"{len(runs)} runs charted in {output}" + (f" ({len(skipped)} file(s) left out)" if skipped else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tribun_crawler.runs", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    charts = commands.add_parser("report", help="write an HTML page of charts of the runs whose reports a folder holds")
    charts.add_argument("folder", type=Path, help="folder of run reports, e.g. data/tribun/ (read recursively)")
    charts.add_argument("-o", "--output", type=Path, default=Path("runs.html"), help="HTML file (default runs.html)")
    charts.add_argument(
        "--fields", help="comma-separated fields for the coverage chart (default: every field the reports measure)"
    )
    charts.add_argument("--png", type=Path, metavar="DIR", help="also save each chart as DIR/<measure>.png")
    args = parser.parse_args(argv)
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
