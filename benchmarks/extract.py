"""The article extractor against trafilatura and newspaper4k: speed per page and fields read right.

A benchmark, not a test. Every tool reads the same HTML, page after page, over the whole corpus in turn, garbage
collected before each round: how a crawler uses an extractor, and how trafilatura's own comparison is run. Ours
runs in this process; the peers run in an environment of their own (``benchmarks/peers.py``, with the interpreter
``--peers-python``), because newspaper4k 0.9.6 requires ``python-dateutil<3`` and the crawler pins 4.0.0. Every
tool is timed the same way, in its own process, in the same run: the ratios compare like with like.

The tools:

- ours: ``HtmlResponse`` built from the page's bytes (as Scrapy hands it to the spider), then
  ``ArticlePage(response).to_item()``, every field;
- trafilatura: ``trafilatura.extract(html, url=url, with_metadata=True, output_format="json")``;
- newspaper4k: ``Article(url, config)`` with ``language="id"`` and ``fetch_images=False``, ``download(input_html=
  html)``, ``parse()`` (no NLP, which needs downloaded models).

The corpus is the article fixtures (``tests/fixtures/articles/*.html``) plus at least ``--pages`` (default 600)
pages generated deterministically by ``benchmarks/replica_cache.py`` with the replica renderers: every template
era, plain URLs, ``?page=all`` and ``?page=N`` of multi-page articles. Times are milliseconds per page: each
page's median over ``--repeats`` rounds, then the median and 95th percentile over the pages.

Fields read right, each compared after the same normalisation for every tool (Unicode NFC, whitespace runs
collapsed, trimmed):

headline         equal to the expected headline (no brand suffix, no "Halaman all")
datePublished    the same moment and the same UTC offset as expected (a date without time or offset is wrong)
  (same day)     reported beside it, not counted: the same calendar date in the article's own zone
authors          the same set of names (case-folded; a site name listed as an author makes it wrong)
editors          the same set of names (a tool with no editor field is right only where there is none)
articleBody      the same text, all whitespace collapsed (mean token F1 against the expected body beside it)
description      equal to the expected summary
keywords         the same set of tags (case-folded)
mainImage        the same image URL
url              the same canonical URL

Expected values: ``tests/fixtures/articles/NAME.json`` for the fixtures (11 pages x 9 fields); for the generated
pages that hold a whole article (single-page plain URL, and ``?page=all``) the values the generator rendered.

    pip install -r requirements-bench.txt                       # the crawler's environment, plus the profiler
    bash benchmarks/peers-env.sh                                # the peers' environment, .venv-peers/
    python benchmarks/extract.py                 # 600 generated pages + fixtures, 3 rounds
    python benchmarks/extract.py --pages 2000 --repeats 5
    python benchmarks/extract.py --no-peers      # ours alone
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from scrapy.http import HtmlResponse  # noqa: E402

from benchmarks.replica_cache import build_network  # noqa: E402
from tests.replica import pages as replica_pages  # noqa: E402
from tribun_crawler.extractors.article import ArticlePage  # noqa: E402

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "articles"
#: The generated corpus is dated as of this day, so it is the same on every machine and every day.
CORPUS_TODAY = date(2026, 11, 20)
FIELDS = (
    "headline",
    "datePublished",
    "authors",
    "editors",
    "articleBody",
    "description",
    "keywords",
    "mainImage",
    "url",
)
_WORD = re.compile(r"\w+")


@dataclass
class Page:
    name: str
    url: str
    html: str
    expected: dict[str, Any] | None = None
    """The fields of a whole article (see the module docstring), or None when the page is timed only."""


@dataclass
class Fields:
    """What a tool read from one page, in the shape compared with the expected item."""

    headline: str | None = None
    datePublished: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] | None = None
    """None: the tool has no such field."""
    articleBody: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    mainImage: str | None = None
    url: str | None = None


# --- Tools -------------------------------------------------------------------------------------------------


def run_ours(page: Page) -> Fields:
    response = HtmlResponse(url=page.url, body=page.html.encode("utf-8"), encoding="utf-8")
    item = ArticlePage(response).to_item()
    return Fields(
        headline=item.headline,
        datePublished=item.datePublished,
        authors=[p["name"] for p in item.authors],
        editors=[p["name"] for p in item.editors],
        articleBody=item.articleBody,
        description=item.description,
        keywords=list(item.keywords),
        mainImage=item.mainImage["url"] if item.mainImage else None,
        url=item.url,
    )


#: The peers, run by ``benchmarks/peers.py`` in their own environment.
PEERS = ("trafilatura", "newspaper4k")
PEERS_SCRIPT = REPO_ROOT / "benchmarks" / "peers.py"
DEFAULT_PEERS_PYTHON = REPO_ROOT / ".venv-peers" / "bin" / "python"


def measure_peer(
    tool: str, corpus: list[Page], repeats: int, python: Path
) -> tuple[list[list[float]], list[Fields | None], str]:
    """Per page the seconds of each round and the fields read, and the tool's version, from ``peers.py``."""
    with tempfile.TemporaryDirectory() as folder:
        pages = Path(folder) / "corpus.json"
        pages.write_text(json.dumps([{"name": p.name, "url": p.url, "html": p.html} for p in corpus]), encoding="utf-8")
        process = subprocess.run(
            [str(python), str(PEERS_SCRIPT), tool, str(pages), "--repeats", str(repeats)],
            capture_output=True,
            text=True,
            check=False,
        )
    if process.returncode != 0:
        raise SystemExit(f"{tool} failed in {python}:\n{process.stderr[-2000:]}")
    measured = json.loads(process.stdout)
    outputs = [None if got is None else Fields(**got) for got in measured["outputs"]]
    return measured["times"], outputs, measured["version"]


# --- Corpus ------------------------------------------------------------------------------------------------


def fixture_pages() -> list[Page]:
    found = []
    for path in sorted(FIXTURES.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        match = re.match(r"<!-- url: (\S+) -->", html)
        assert match, f"{path} must start with its URL comment"
        item = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        expected = {
            **{name: item[name] for name in FIELDS},
            "authors": [p["name"] for p in item["authors"]],
            "editors": [p["name"] for p in item["editors"]],
            "mainImage": item["mainImage"]["url"] if item["mainImage"] else None,
        }
        found.append(Page(path.stem, match.group(1), html, expected))
    return found


def generated_pages(count: int, seed: int = 0) -> list[Page]:
    """At least ``count`` pages of a generated network: plain URLs, ``?page=all`` and ``?page=N``."""
    net = build_network(max(count, 50), today=CORPUS_TODAY, seed=seed)
    found: list[Page] = []
    for article in net.articles:
        whole = {
            "headline": article.headline,
            "datePublished": article.published.isoformat(),
            "authors": [p.name for p in article.authors],
            "editors": [p.name for p in article.editors],
            "articleBody": "\n\n".join(article.body_paragraphs()),
            "description": article.description,
            "keywords": list(article.keywords),
            "mainImage": article.image,
            "url": article.url,
        }
        params = ["1"] if article.page_count == 1 else ["1", "all", str(article.page_count)]
        for param in params:
            html = replica_pages.render_article(net, article, param)
            assert html is not None
            url = article.url if param == "1" else f"{article.url}?page={param}"
            expected = whole if article.page_count == 1 or param == "all" else None
            found.append(Page(f"{article.era.value}:{article.key}:{param}", url, html, expected))
        if len(found) >= count:
            break
    return found


# --- Comparison --------------------------------------------------------------------------------------------


def _norm(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split())


def _names(values: list[str] | None) -> set[str]:
    return {_norm(v).casefold() for v in values or [] if _norm(v)}


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def token_f1(got: str | None, expected: str | None) -> float:
    got_words, expected_words = _WORD.findall(_norm(got).casefold()), _WORD.findall(_norm(expected).casefold())
    if not got_words and not expected_words:
        return 1.0
    if not got_words or not expected_words:
        return 0.0
    remaining: dict[str, int] = {}
    for word in expected_words:
        remaining[word] = remaining.get(word, 0) + 1
    common = 0
    for word in got_words:
        if remaining.get(word, 0) > 0:
            remaining[word] -= 1
            common += 1
    if not common:
        return 0.0
    precision, recall = common / len(got_words), common / len(expected_words)
    return 2 * precision * recall / (precision + recall)


def field_right(name: str, got: Fields, expected: dict[str, Any]) -> bool:
    value, want = getattr(got, name), expected[name]
    if name in ("authors", "editors", "keywords"):
        return _names(value) == _names(want)
    if name == "datePublished":
        got_moment, want_moment = _moment(value), _moment(want)
        if got_moment is None or want_moment is None:
            return got_moment is None and want_moment is None
        return got_moment == want_moment and got_moment.utcoffset() == want_moment.utcoffset()
    return _norm(value) == _norm(want)


def same_day(got: Fields, expected: dict[str, Any]) -> bool:
    want = _moment(expected["datePublished"])
    return want is not None and _norm(got.datePublished)[:10] == want.date().isoformat()


@dataclass
class Score:
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    day: int = 0
    f1: list[float] = field(default_factory=list)
    pages: int = 0

    def add(self, got: Fields, expected: dict[str, Any]) -> None:
        self.pages += 1
        for name in FIELDS:
            self.right[name] += field_right(name, got, expected)
        self.day += same_day(got, expected)
        self.f1.append(token_f1(got.articleBody, expected["articleBody"]))

    @property
    def total(self) -> int:
        return sum(self.right.values())


# --- Run ---------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Result:
    times: dict[str, list[list[float]]]
    """Per tool, per page: the seconds of each round."""
    fixtures: dict[str, Score]
    generated: dict[str, Score]
    failures: dict[str, int]
    versions: dict[str, str]
    """The peers' versions, as installed in their environment."""


def measure_ours(corpus: list[Page], repeats: int) -> tuple[list[list[float]], list[Fields | None]]:
    times: list[list[float]] = [[] for _ in corpus]
    outputs: list[Fields | None] = [None] * len(corpus)
    for round_ in range(repeats):
        gc.collect()
        for n, page in enumerate(corpus):
            started = time.perf_counter()
            got = run_ours(page)
            times[n].append(time.perf_counter() - started)
            if round_ == 0:
                outputs[n] = got
    return times, outputs


def measure(corpus: list[Page], repeats: int, peers_python: Path | None) -> Result:
    """Ours, then each peer (``peers_python`` None: ours alone), every one over the whole corpus per round."""
    times, outputs = {}, {}
    times["tribun_crawler"], outputs["tribun_crawler"] = measure_ours(corpus, repeats)
    versions = {}
    for tool in PEERS if peers_python is not None else ():
        assert peers_python is not None
        times[tool], outputs[tool], versions[tool] = measure_peer(tool, corpus, repeats, peers_python)
    names = list(times)
    failures = dict.fromkeys(names, 0)
    fixtures = {name: Score() for name in names}
    generated = {name: Score() for name in names}
    for name in names:
        for page, output in zip(corpus, outputs[name], strict=True):
            failures[name] += output is None
            if page.expected is not None:
                (generated if ":" in page.name else fixtures)[name].add(output or Fields(), page.expected)
    return Result(times, fixtures, generated, failures, versions)


def print_result(result: Result, corpus: list[Page], repeats: int) -> None:
    names = list(result.times)
    ours = names[0]
    eras: dict[str, int] = {}
    for page in corpus:
        era = page.name.split(":")[0] if ":" in page.name else "fixture"
        eras[era] = eras.get(era, 0) + 1
    print(f"corpus: {len(corpus)} pages ({', '.join(f'{k} {v}' for k, v in sorted(eras.items()))}), {repeats} rounds")
    width = 16
    if result.versions:
        print("peers: " + ", ".join(f"{name} {number}" for name, number in result.versions.items()))
    for title, times in [("per tool, whole corpus in turn", result.times)]:
        per_page = {name: [statistics.median(t) * 1000 for t in times[name]] for name in names}
        median = {name: statistics.median(values) for name, values in per_page.items()}
        p95 = {name: percentile(values, 0.95) for name, values in per_page.items()}
        print()
        print(f"{'ms per page: ' + title:<46}" + "".join(f"{name:>{width}}" for name in names))
        print(f"{'median':<46}" + "".join(f"{median[name]:>{width}.2f}" for name in names))
        print(f"{'p95':<46}" + "".join(f"{p95[name]:>{width}.2f}" for name in names))
        print(f"{'median vs ours':<46}" + "".join(f"{median[name] / median[ours]:>{width - 1}.1f}x" for name in names))
        print(f"{'p95 vs ours':<46}" + "".join(f"{p95[name] / p95[ours]:>{width - 1}.1f}x" for name in names))
    print(f"{'pages that raised':<46}" + "".join(f"{result.failures[name]:>{width}}" for name in names))
    for title, scores in (("fixtures", result.fixtures), ("generated whole articles", result.generated)):
        pages = scores[ours].pages
        if not pages:
            continue
        print()
        print(f"fields right, {title} ({pages} pages)")
        for name in FIELDS:
            print(f"  {name:<38}" + "".join(f"{scores[t].right[name]:>{width - 4}}/{pages:<3}" for t in names))
        days = "".join(f"{scores[t].day:>{width - 4}}/{pages:<3}" for t in names)
        print(f"  {'(datePublished same day)':<38}{days}")
        print(
            f"  {'(articleBody mean F1)':<38}" + "".join(f"{statistics.fmean(scores[t].f1):>{width}.3f}" for t in names)
        )
        total = pages * len(FIELDS)
        print(f"  {'all fields':<38}" + "".join(f"{scores[t].total:>{width - 4}}/{total:<3}" for t in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=600, help="generated pages besides the fixtures (>= 500)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds over the corpus (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the per-page times and scores here")
    parser.add_argument(
        "--peers-python",
        type=Path,
        default=DEFAULT_PEERS_PYTHON,
        help="interpreter of the peers' environment (default .venv-peers/bin/python; see the module docstring)",
    )
    parser.add_argument("--no-peers", action="store_true", help="time and score ours alone")
    args = parser.parse_args(argv)
    if not args.no_peers and not args.peers_python.exists():
        parser.error(
            f"no peers' interpreter at {args.peers_python}: create it with `bash benchmarks/peers-env.sh`, "
            "name another with --peers-python, or run --no-peers"
        )
    corpus = fixture_pages() + generated_pages(args.pages, args.seed)
    result = measure(corpus, args.repeats, None if args.no_peers else args.peers_python)
    print_result(result, corpus, args.repeats)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
