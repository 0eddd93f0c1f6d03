"""The peer extractors (trafilatura, newspaper4k), timed in an environment of their own.

``benchmarks/extract.py`` runs this script with the peers' interpreter (``.venv-peers/bin/python`` by default):
the peers cannot share the crawler's environment, since newspaper4k 0.9.6 requires ``python-dateutil<3`` and the
crawler pins 4.0.0. This file imports nothing of the crawler, of Scrapy or of the benchmarks package: only the
standard library and the peer it runs.

    bash benchmarks/peers-env.sh                                # the peers' environment, .venv-peers/

Input: a JSON file of pages ``[{"name", "url", "html"}]``. Output (stdout, one JSON object): per page the seconds
of each round, the fields read the first time (``null`` where the tool raised) and the tool's version. Each round
runs the whole corpus, garbage collected before it, as ``extract.py`` times its own extractor.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

Fields = dict[str, Any]
"""What a tool read, in the shape of ``extract.Fields``: headline, datePublished, authors, editors (None: the tool
has no such field), articleBody, description, keywords, mainImage, url."""


def trafilatura_runner() -> Callable[[str, str], Fields]:
    import trafilatura  # noqa: PLC0415 - only in the peers' environment

    def run(url: str, html: str) -> Fields:
        out = trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
        data = json.loads(out) if out else {}
        return {
            "headline": data.get("title"),
            "datePublished": data.get("date"),
            "authors": [a.strip() for a in (data.get("author") or "").split(";") if a.strip()],
            "editors": None,
            "articleBody": data.get("text"),
            "description": data.get("excerpt") or data.get("description"),
            "keywords": [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()],
            "mainImage": data.get("image"),
            "url": data.get("source") or data.get("url"),
        }

    return run


def newspaper_runner() -> Callable[[str, str], Fields]:
    from newspaper import Article, Config  # noqa: PLC0415 - only in the peers' environment

    # newspaper4k warns once that nltk is missing; only its NLP step needs it, and that step is not run.
    warnings.filterwarnings("ignore", module="newspaper")
    config = Config()
    config.fetch_images = False  # no image downloads: nothing but the given HTML is read
    config.language = "id"

    def run(url: str, html: str) -> Fields:
        article = Article(url, config=config)
        article.download(input_html=html)
        article.parse()
        published = article.publish_date
        return {
            "headline": article.title,
            "datePublished": published.isoformat() if isinstance(published, datetime) else published,
            "authors": list(article.authors),
            "editors": None,
            "articleBody": article.text,
            "description": article.meta_description,
            "keywords": list(article.meta_keywords or []) or sorted(article.tags or []),
            "mainImage": article.top_image or None,
            "url": article.canonical_link or None,
        }

    return run


#: Tool name -> (its distribution, a builder of its runner).
TOOLS: dict[str, tuple[str, Callable[[], Callable[[str, str], Fields]]]] = {
    "trafilatura": ("trafilatura", trafilatura_runner),
    "newspaper4k": ("newspaper4k", newspaper_runner),
}


def measure(tool: str, pages: list[dict[str, str]], repeats: int) -> dict[str, Any]:
    distribution, build = TOOLS[tool]
    run = build()
    times: list[list[float]] = [[] for _ in pages]
    outputs: list[Fields | None] = [None] * len(pages)
    for round_ in range(repeats):
        gc.collect()
        for n, page in enumerate(pages):
            started = time.perf_counter()
            try:
                got: Fields | None = run(page["url"], page["html"])
            except Exception:  # noqa: BLE001 (a peer failing on a page is a result, not a crash)
                got = None
            times[n].append(time.perf_counter() - started)
            if round_ == 0:
                outputs[n] = got
    return {"tool": tool, "version": version(distribution), "times": times, "outputs": outputs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("corpus", type=Path, help='JSON file: [{"name", "url", "html"}]')
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    pages = json.loads(args.corpus.read_text(encoding="utf-8"))
    json.dump(measure(args.tool, pages, args.repeats), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
