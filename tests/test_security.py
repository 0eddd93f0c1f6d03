"""Security: nothing a page holds is ever evaluated or executed, and feed and report paths stay in their folder.

- Code: the package never calls ``eval``/``exec``/``compile``/``__import__``/``ast.literal_eval`` nor imports a
  deserialiser that runs code (``pickle``, ``marshal``, ``shelve``, ``yaml``, ``dill``, …) nor a way to run
  commands (``subprocess``, ``os.system``, ``os.popen``): checked on the syntax tree of every module.
- JSON-LD is data: it goes through ``json.loads`` and nothing else, so a payload that would do harm if evaluated
  ends up as plain text, and a script that only Python could read (single quotes) is not read at all. Checked
  with every evaluator replaced by a trap while the extractor runs.
- Paths: ``-a name=…`` (the spider's name, which feed and report paths are built from) and any ``-a`` argument
  used in a feed URI are made one file name; ``..``, absolute paths, separators, ``%2e%2e``, NULs and drive
  letters cannot take a feed or report out of ``TRIBUN_FEED_DIR``. Checked on the functions and end to end with
  ``scrapy crawl``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import json
import marshal
import pickle
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl, spider_today
from tests.replica import Replica, start_replica
from tribun_crawler import feeds
from tribun_crawler import settings as project_settings
from tribun_crawler.extensions.report import RunReport
from tribun_crawler.extractors import jsonld
from tribun_crawler.extractors.article import ArticlePage
from tribun_crawler.feeds import feed_uri_params, path_component
from tribun_crawler.spiders.tribun import TribunSpider
from tribun_crawler.text import clean_text

PACKAGE = REPO_ROOT / "tribun_crawler"

# --- Nothing is evaluated --------------------------------------------------------------------------------------

#: Built-in functions that run or compile code given as text.
EVALUATORS = frozenset({"eval", "exec", "compile", "__import__", "breakpoint"})
#: Modules whose loaders run code, or that run commands.
FORBIDDEN_MODULES = frozenset(
    {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "jsonpickle", "yaml", "subprocess"}
)
#: module.function calls that evaluate text or run a command.
FORBIDDEN_CALLS = frozenset(
    {
        ("ast", "literal_eval"),
        ("os", "system"),
        ("os", "popen"),
        ("os", "execv"),
        ("os", "execvp"),
        ("os", "spawnv"),
        ("builtins", "eval"),
        ("builtins", "exec"),
    }
)


def forbidden_uses(source: str) -> list[str]:
    """Every use of an evaluator, a code-running loader or a command runner in ``source``, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in EVALUATORS:
            found.append(f"{node.lineno}: {node.func.id}()")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _top(a.name) in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if _top(module) in FORBIDDEN_MODULES:
                found.append(f"{node.lineno}: from {module} import …")
            found += [
                f"{node.lineno}: from {module} import {a.name}"
                for a in node.names
                if (_top(module), a.name) in FORBIDDEN_CALLS or (module == "builtins" and a.name in EVALUATORS)
            ]
    return found


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_check_finds_every_kind_of_forbidden_use() -> None:
    source = "\n".join(
        [
            "import json, pickle",
            "from yaml import load",
            "import subprocess as sp",
            "from ast import literal_eval",
            "import os",
            "x = eval(text)",
            "exec(code)",
            "os.system('rm -rf /')",
            "y = ast.literal_eval(text)",
            "m = __import__(name)",
            "z = re.compile(pattern)",  # a regular expression is not code: allowed
            "data = json.loads(text)",  # allowed
        ]
    )
    assert sorted(forbidden_uses(source), key=lambda use: int(use.split(":")[0])) == [
        "1: import pickle",
        "2: from yaml import …",
        "3: import subprocess",
        "4: from ast import literal_eval",
        "6: eval()",
        "7: exec()",
        "8: os.system",
        "9: ast.literal_eval",
        "10: __import__()",
    ]


@pytest.mark.parametrize("module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_package_never_evaluates_code_nor_runs_commands(module: Path) -> None:
    assert forbidden_uses(module.read_text(encoding="utf-8")) == []


def test_json_ld_is_parsed_by_json_loads_only() -> None:
    tree = ast.parse((PACKAGE / "extractors" / "jsonld.py").read_text(encoding="utf-8"))
    calls = {
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"json", "ast", "yaml", "pickle", "demjson", "json5", "js2py"}
    }
    assert calls == {"json.loads"}


#: JSON-LD strings that would do harm in an evaluator: each must come out as the same plain text.
PAYLOADS = {
    "python": "__import__('os').system('touch {marker}')",
    "pickle": "cos\nsystem\n(S'touch {marker}'\ntR.",
    "yaml": "!!python/object/apply:os.system ['touch {marker}']",
    "javascript": "\"); require('child_process').execSync('touch {marker}'); (\"",
    "template": "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}} ${{touch {marker}}} $(touch {marker})",
}


def article_page_with(script: str, marker: Path, h1: bool = True) -> HtmlResponse:
    html = f"""<!DOCTYPE html><html lang="id"><head><meta charset="UTF-8" />
<title>Banjir Rendam 34 RT di Jakarta - Tribunnews.com</title>
<meta property="og:title" content="Banjir Rendam 34 RT di Jakarta - Tribunnews.com" />
<script type="application/ld+json">{script}</script>
</head><body><div id="article">
{'<h1 class="f50 black2 f400 crimson" id="arttitle">Banjir Rendam 34 RT di Jakarta</h1>' if h1 else ""}
<div class="side-article txt-article"><p><strong>TRIBUNNEWS.COM, JAKARTA</strong> - Banjir merendam sedikitnya
34 rukun tetangga di Jakarta Timur dan Jakarta Selatan pada Kamis (20/6/2024) pagi.</p></div>
</div></body></html>"""
    return HtmlResponse(
        url=f"https://www.tribunnews.com/metropolitan/2024/06/20/banjir-rendam-34-rt-{marker.name}",
        body=html.encode("utf-8"),
        encoding="utf-8",
    )


@pytest.fixture
def evaluators_trapped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every evaluator and code-running loader replaced by a trap that records its use and refuses."""
    used: list[str] = []

    def trap(name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            used.append(name)
            raise AssertionError(f"{name} called on page data")

        return refuse

    evaluators: list[tuple[Any, tuple[str, ...]]] = [
        (builtins, ("eval", "exec")),
        (pickle, ("loads", "load")),
        (marshal, ("loads", "load")),
        (ast, ("literal_eval",)),
        (subprocess, ("Popen", "run", "call", "check_output")),
    ]
    # PyYAML is no dependency of the crawler (the source scan refuses it anyway); trap it where it is installed.
    if importlib.util.find_spec("yaml") is not None:
        evaluators.append((importlib.import_module("yaml"), ("load", "unsafe_load", "full_load")))
    for owner, names in evaluators:
        for name in names:
            monkeypatch.setattr(owner, name, trap(f"{owner.__name__}.{name}"))
    return used


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_harmful_json_ld_strings_are_plain_text(
    kind: str, tmp_path: Path, evaluators_trapped: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / f"pwned-{kind}"
    payload = PAYLOADS[kind].format(marker=marker)
    script = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": payload,
            "description": payload,
            "author": {"@type": "Person", "name": payload, "url": payload},
            "keywords": [payload],
            "articleSection": payload,
            "datePublished": payload,
        }
    )
    parsed: list[str] = []
    real_loads = json.loads

    def loads_spy(text: str, **kwargs: Any) -> Any:
        parsed.append(text)
        return real_loads(text, **kwargs)

    monkeypatch.setattr(jsonld.json, "loads", loads_spy)

    item = ArticlePage(article_page_with(script, marker)).to_item()

    assert parsed == [script]
    text = clean_text(payload)  # the text as every string field is cleaned: whitespace runs made one space
    # The headline is read from the h1 first (docs/site.md#how-the-crawler-reads-it); the JSON-LD one only
    # without it.
    assert item.headline == "Banjir Rendam 34 RT di Jakarta"
    without_h1 = ArticlePage(article_page_with(script, marker, h1=False)).to_item()
    assert without_h1.headline == text
    assert item.description == text
    assert item.keywords == [text]
    assert item.articleSection == text
    assert item.datePublished is None  # text, not a date
    assert evaluators_trapped == []
    assert not marker.exists()


def test_json_ld_only_python_could_read_is_not_read(tmp_path: Path, evaluators_trapped: list[str]) -> None:
    # Single quotes and a call: valid Python, invalid JSON. Read with json.loads it is skipped, and the headline
    # comes from og:title instead.
    marker = tmp_path / "pwned"
    script = f"{{'@type': 'NewsArticle', 'headline': __import__('os').system('touch {marker}') or 'Diretas'}}"

    item = ArticlePage(article_page_with(script, marker)).to_item()

    assert item.headline == "Banjir Rendam 34 RT di Jakarta"
    assert evaluators_trapped == []
    assert not marker.exists()


# --- Feed and report paths --------------------------------------------------------------------------------------

#: Spider names (``-a name=…``) and run arguments a feed path could be built from.
HOSTILE_NAMES = (
    "../../escaped",
    "..",
    ".",
    "",
    "...",
    "/etc/cron.d/tribun",
    "/",
    "a/../../b",
    "..\\..\\windows",
    "C:\\Users\\x",
    "C:",
    "%2e%2e%2f%2e%2e%2fescaped",
    "name\x00.jsonl",
    "line\nbreak",
    "x?y#z",
    "~root",
    "a" * 5000,
)


def spider_named(name: str, tmp_path: Path, **settings: Any) -> TribunSpider:
    project = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    crawler = get_crawler(TribunSpider, {**project, "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), **settings})
    spider = TribunSpider.from_crawler(crawler, name=name, run=name)
    crawler.spider = spider
    return spider


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_path_component_is_one_name_that_stays_in_its_folder(name: str, tmp_path: Path) -> None:
    component = path_component(name)
    assert component not in ("", ".", "..")
    assert PurePosixPath(component).name == component
    assert not set(component) & {"/", "\\", ":", "%", "\x00", "\n"}
    assert len(component) <= 100
    assert (tmp_path / component).resolve().parent == tmp_path.resolve()


def test_path_component_keeps_ordinary_names() -> None:
    for name in ("tribun", "tribun-backfill_2024.06", "2024-06-20T12-05-00"):
        assert path_component(name) == name


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_default_feed_path_stays_in_the_feed_folder(name: str, tmp_path: Path) -> None:
    out = tmp_path / "data"
    spider = spider_named(name, tmp_path)
    # The parameters Scrapy gives FEED_URI_PARAMS: every attribute of the spider, -a arguments included.
    params = {"name": spider.name, "run": spider.run, "time": "now", "batch_id": 1, "start_urls": ["/../x"]}
    for template, depth in (
        (f"{out}/%(name)s/%(time)s.jsonl", 2),
        (f"{out}/%(run)s-%(batch_id)05d.jsonl", 1),
        (f"{out}/%(start_urls)s.jsonl", 1),
        (f"file://{out}/%(name)s/%(time)s.jsonl", 2),
    ):
        uri = apply_uri_params(template, feed_uri_params(dict(params), spider))
        path = Path(feeds.UnbufferedFileFeedStorage(uri).path)
        assert inside(path, out), (template, uri)
        # Each parameter stayed one path segment: the file is exactly as deep as the template says.
        assert len(path.resolve().relative_to(out.resolve()).parts) == depth, (template, uri)


def test_without_the_parameter_function_the_name_would_escape(tmp_path: Path) -> None:
    # What the test above guards against: Scrapy's own parameters put -a name=../../escaped in the path as is.
    uri = apply_uri_params(f"{tmp_path}/data/%(name)s/x.jsonl", {"name": "../../escaped"})
    assert not inside(Path(uri), tmp_path / "data")


def test_time_parameter_is_the_run_start(tmp_path: Path) -> None:
    spider = spider_named("tribun", tmp_path)
    spider.crawler.stats.set_value("start_time", datetime(2024, 6, 20, 12, 5, 0, tzinfo=UTC))
    assert feed_uri_params({"time": "../x", "batch_id": 3}, spider) == {"time": "2024-06-20T12-05-00", "batch_id": 3}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_report_path_stays_in_the_report_folder(name: str, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    spider = spider_named(name, tmp_path, TRIBUN_REPORT_PATH=f"{reports}/%(name)s-%(time)s.json")
    report = RunReport(spider.crawler)

    paths = [p for p in report.report_paths(spider) if str(p).startswith(str(reports))]

    assert len(paths) == 1
    assert paths[0].resolve().parent == reports.resolve()


@pytest.mark.slow
def test_scrapy_crawl_with_a_hostile_name_writes_only_inside_the_feed_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with start_replica(tmp_path, today=spider_today()) as replica:
        article = replica.network().expected(["www"], depth=0, index_dates=[replica.today])[0].url
        status = crawl_named(tmp_path, replica, "../../escaped", article, out)
    assert status == 0, (tmp_path / "crawl.log").read_text(encoding="utf-8")[-3000:]
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    # The state (state.sqlite3) and its discovery cache (state-discovery/) are the crawler's own, beside it.
    state = [p for p in written if p.parent == tmp_path or inside(p, tmp_path / "state-discovery")]
    outside = [p for p in written if not inside(p, out) and p not in state]
    assert outside == []
    assert all(".._.._escaped" in p.parts or "escaped" not in str(p) for p in state)
    feeds_written = sorted(out.rglob("*.jsonl"))
    assert [p.parent.name for p in feeds_written] == [".._.._escaped"]
    assert [item["url"] for item in read_jsonl(feeds_written[0])] == [article]
    assert [p.name.startswith(".._.._escaped-") for p in (out / "reports").iterdir()] == [True]
    assert not (tmp_path.parent / "escaped").exists()


def crawl_named(tmp_path: Path, replica: Replica, name: str, article: str, out: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "tribun",
        "-a",
        f"name={name}",
        "-a",
        f"start_urls={article}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "TRIBUN_RELATED_DEPTH=0",
        "-s",
        f"TRIBUN_STATE_PATH={tmp_path / 'state.sqlite3'}",
        "-s",
        f"LOG_FILE={tmp_path / 'crawl.log'}",
    ]
    env = crawl_env(
        {**replica.env, "TRIBUN_FEED_DIR": str(out), "TRIBUN_REPORT_PATH": f"{out}/reports/%(name)s-%(time)s.json"}
    )
    return subprocess.run(command, cwd=REPO_ROOT, env=env, timeout=120, check=False).returncode
