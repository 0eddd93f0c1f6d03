"""The documentation holds together: the README names every setting and spider argument, stays a short user's
guide without the benchmark notebook, and every relative link of README.md and docs/*.md leads somewhere.

Read from the source with ``ast`` (no import, no network): a setting added to ``settings.py`` or an argument added
to ``CrawlArguments.parse`` without a README line fails here, naming it.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

from tribun_crawler import stats as stat

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
MARKDOWN_FILES = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]
SETTINGS = REPO_ROOT / "tribun_crawler" / "settings.py"
ARGUMENTS = REPO_ROOT / "tribun_crawler" / "spiders" / "arguments.py"

README_MAX_BYTES = 30_000
#: Dated lab-notebook text, which lives in docs/performance.md.
NOTEBOOK_LINES = (re.compile(r"Measured on 20\d\d"), re.compile(r"target \(issue \d+\)"))

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
TABLE_ROW_NAMES = re.compile(r"^\|([^|\n]*)\|", re.M)


def prose(markdown: str) -> str:
    """The text outside code blocks and code spans: where a ``](…)`` is a link and a ``#`` line a heading."""
    return INLINE_CODE.sub("", FENCE.sub("", markdown))


def section(markdown: str, heading: str) -> str:
    """The text of one ``## heading`` section (up to the next heading of the same level or higher)."""
    lines = markdown.splitlines()
    start = lines.index(heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = next(
        (index for index in range(start + 1, len(lines)) if re.match(rf"#{{1,{level}}} ", lines[index])),
        len(lines),
    )
    return "\n".join(lines[start:end])


def table_names(markdown: str) -> set[str]:
    """The ``backticked`` names of the first column of every table row."""
    return {name for cell in TABLE_ROW_NAMES.findall(markdown) for name in re.findall(r"`([^`]+)`", cell)}


def setting_names() -> set[str]:
    """Every ``TRIBUN_*`` setting (and ``REDIS_URL``) settings.py defines, and every ``TRIBUN_*`` variable it reads."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    for node in ast.walk(tree):  # _env("TRIBUN_LOG_LEVEL", …) sets LOG_LEVEL: the variable is what users give
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_env" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return {name for name in names if name.startswith("TRIBUN_") or name == "REDIS_URL"}


def spider_argument_names() -> list[str]:
    """The ``-a name=…`` arguments: the keyword parameters of ``CrawlArguments.parse`` in arguments.py."""
    tree = ast.parse(ARGUMENTS.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "CrawlArguments":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "parse":
                    parameters = [*item.args.posonlyargs, *item.args.args, *item.args.kwonlyargs]
                    return [parameter.arg for parameter in parameters if parameter.arg not in {"cls", "self"}]
    raise AssertionError(f"{ARGUMENTS} has no CrawlArguments.parse")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    kept = "".join(char for char in text if char in "-_ " or unicodedata.category(char)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        base = slug(heading)
        name, count = base, 0
        while name in found:
            count += 1
            name = f"{base}-{count}"
        found.add(name)
    return found


def relative_links() -> list[tuple[Path, str]]:
    """(file, target) of every link to a path of the repository (``http(s)``, ``mailto`` and ``#anchor`` aside)."""
    return [
        (path, target)
        for path in MARKDOWN_FILES
        for target in LINK.findall(prose(path.read_text(encoding="utf-8")))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith("#")
    ]


def test_the_readme_names_every_setting_in_its_settings_table() -> None:
    names = setting_names()
    assert len(names) >= 25, sorted(names)  # the reader works: settings.py defines about thirty
    readme = README.read_text(encoding="utf-8")
    assert {name for name in names if f"`{name}`" not in readme} == set()
    assert names - table_names(section(readme, "## Settings")) == set()


def test_every_relative_link_leads_to_a_file_of_the_repository() -> None:
    links = relative_links()
    assert any(path == README and target.startswith("docs/") for path, target in links)
    assert any(path.parent.name == "docs" and target.startswith("../README.md") for path, target in links)
    broken = [
        f"{path.relative_to(REPO_ROOT)}: {target}"
        for path, target in links
        if not (resolved := (path.parent / target.split("#", 1)[0]).resolve()).exists()
        or not resolved.is_relative_to(REPO_ROOT)
    ]
    assert broken == []


def test_every_anchor_of_a_link_names_a_heading() -> None:
    """Beyond the file: ``path#anchor`` and ``#anchor`` must name a heading of the page (GitHub's anchors)."""
    wrong = []
    for path in MARKDOWN_FILES:
        for target in LINK.findall(prose(path.read_text(encoding="utf-8"))):
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or "#" not in target:
                continue
            file_part, anchor = target.split("#", 1)
            page = (path.parent / file_part).resolve() if file_part else path
            if page.suffix == ".md" and page.exists() and anchor not in anchors(page.read_text(encoding="utf-8")):
                wrong.append(f"{path.relative_to(REPO_ROOT)}: {target}")
    assert wrong == []


def test_the_readme_stays_short() -> None:
    assert README.stat().st_size < README_MAX_BYTES


def test_the_readme_names_every_spider_argument() -> None:
    names = spider_argument_names()
    assert {"sites", "start_urls", "reset_state"} <= set(names), names  # the reader works
    readme = README.read_text(encoding="utf-8")
    arguments = table_names(section(readme, "## Spider arguments (`-a name=value`)"))
    assert [name for name in names if name not in arguments] == []


@pytest.mark.parametrize("pattern", NOTEBOOK_LINES, ids=lambda pattern: pattern.pattern)
def test_the_readme_holds_no_dated_benchmark_notes(pattern: re.Pattern[str]) -> None:
    readme = README.read_text(encoding="utf-8").splitlines()
    assert [line for line in readme if pattern.search(line)] == []


def test_the_benchmark_notebook_lives_in_docs_performance() -> None:
    performance = (REPO_ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert NOTEBOOK_LINES[0].search(performance)
    assert "## Benchmarks" in performance.splitlines()
    assert "## Performance" in performance.splitlines()


def test_the_slug_follows_github() -> None:
    assert slug("Spider arguments (`-a name=value`)") == "spider-arguments--a-namevalue"
    assert slug("State, recheck and feeds (for cron)") == "state-recheck-and-feeds-for-cron"
    assert slug("Concept → file that owns it") == "concept--file-that-owns-it"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_every_stat_has_a_row_in_the_operations_manual() -> None:
    """Each name ``tribun_crawler/stats.py`` defines (a family as ``<prefix><member>``) is a row of the Stats table."""
    rows = table_names(section((REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8"), "## Stats"))
    defined = {
        f"{value.prefix}<member>" if isinstance(value, stat.Family) else value
        for name, value in vars(stat).items()
        if name.isupper() and name != "PREFIX"
    }
    assert defined - rows == set()
