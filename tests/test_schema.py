"""The article's JSON Schema (tribun_crawler/schema/article.schema.json): the contract of the feed.

It names exactly the fields of ArticleItem, accepts every expected article of the fixtures the validate pipeline
lets through (and rejects the one it drops), and names the field at fault when an item breaks it. The end-to-end
tests validate every item of every feed they read against it (tests/crawl.py, ``read_jsonl``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import PipelineRun, make_article
from tribun_crawler.items import ArticleItem
from tribun_crawler.schema import _validator, article_errors, article_schema, is_valid_article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
EXPECTED = sorted(FIXTURES.glob("*.json"))
#: Fixtures whose expected extraction the validate pipeline drops (the reason), so the schema must reject it too.
DROPPED = {"jatim_2024_video_no_body": "articleBody"}


def expected(path: Path) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return item


@pytest.fixture
def article() -> dict[str, Any]:
    return expected(FIXTURES / "www_2025_id_premium.json")


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = article_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_the_schema_names_exactly_the_fields_of_the_item() -> None:
    schema = article_schema()
    item_fields = [f.name for f in fields(ArticleItem)]
    assert sorted(set(item_fields) - set(schema["properties"])) == [], "fields of ArticleItem missing in the schema"
    assert sorted(set(schema["properties"]) - set(item_fields)) == [], "schema properties not in ArticleItem"
    assert list(schema["properties"]) == item_fields, "the schema lists the fields in the item's order"
    # Every field is always written (the feed exporter serialises the whole dataclass).
    assert sorted(schema["required"]) == sorted(item_fields)
    assert schema["additionalProperties"] is False


def test_every_nested_object_is_closed() -> None:
    def objects(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, list):
            return [o for child in node for o in objects(child)]
        if not isinstance(node, dict):
            return []
        types = node.get("type")
        own = [node] if types == "object" or (isinstance(types, list) and "object" in types) else []
        return own + [o for child in node.values() for o in objects(child)]

    closed = objects(article_schema())
    assert len(closed) >= 4  # the article, a person, a breadcrumb, the main image
    assert [o.get("description") for o in closed if o.get("additionalProperties") is not False] == []
    assert [o.get("description") for o in closed if sorted(o["required"]) != sorted(o["properties"])] == []


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_every_expected_article_validates(path: Path) -> None:
    errors = article_errors(expected(path))
    if path.stem in DROPPED:
        assert errors, "an item the validate pipeline drops must not pass the schema"
        assert all(e.startswith(f"{DROPPED[path.stem]}: ") for e in errors), errors
    else:
        assert errors == []


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_the_pipelines_emit_only_valid_articles(path: Path, pipeline_run: Any, sqlite_settings: Any) -> None:
    """An expected extraction through the project's pipelines: what comes out validates; what is dropped fails."""
    item = ArticleItem(**expected(path))
    with pipeline_run(sqlite_settings) as run:
        assert isinstance(run, PipelineRun)
        emitted = run.feed(item)
    if emitted is None:
        assert path.stem in DROPPED, run.dropped
        assert article_errors(asdict(item)) != []
    else:
        assert article_errors(asdict(emitted)) == []


def test_a_day_only_article_validates(article: dict[str, Any]) -> None:
    day_only = {**article, "datePublished": None, "dateModified": None, "datePublishedDay": "2016-02-08"}
    assert article_errors(day_only) == []


def test_an_article_built_like_the_extractor_validates_after_the_pipelines(
    pipeline_run: Any, sqlite_settings: Any
) -> None:
    with pipeline_run(sqlite_settings) as run:
        emitted = run.feed(make_article(mainImage={"url": "https://asset-2.tstatic.net/a.jpg", "caption": "Foto"}))
    assert emitted is not None, run.dropped
    assert article_errors(asdict(emitted)) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"datePublished": "2024-06-20T10:00:00"}, "datePublished"),  # no UTC offset
        ({"datePublished": "2024-06-20 10:00"}, "datePublished"),
        ({"datePublished": "2024-13-45T10:00:00+07:00"}, "datePublished"),  # the right shape, no such day
        ({"dateModified": "Senin, 4 Mei 2020 04:25 WIB"}, "dateModified"),
        ({"dateDownloaded": "2024-06-20T09:00:00+07:00"}, "dateDownloaded"),  # not UTC
        ({"datePublishedDay": "20-06-2024"}, "datePublishedDay"),
        ({"authors": ["Nurul Hidayah"]}, "authors/0"),  # a string, not {"name", "url"}
        ({"editors": [{"name": "Sanusi"}]}, "editors/0/url"),
        ({"authors": [{"name": "Sanusi", "url": None, "role": "editor"}]}, "authors/0/role"),
        ({"mainImage": {"url": "https://asset-2.tstatic.net/a.jpg", "caption": None, "width": 640}}, "mainImage/width"),
        ({"mainImage": "https://asset-2.tstatic.net/a.jpg"}, "mainImage"),
        ({"url": "https://m.tribunnews.com/bisnis/7612345/x?page=2"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"relatedUrls": ["/bisnis/7611890/bi"]}, "relatedUrls/0"),
        ({"headline": ""}, "headline"),
        ({"articleBody": None}, "articleBody"),
        ({"keywords": ["rupiah", "rupiah"]}, "keywords"),
        ({"inLanguage": "en"}, "inLanguage"),
        ({"pageCount": 0}, "pageCount"),
        ({"isAccessibleForFree": "false"}, "isAccessibleForFree"),
        ({"articleId": 7612345}, "articleId"),
        ({"summary": "an unknown extra field"}, "summary"),
    ],
)
def test_a_broken_item_fails_naming_the_field(article: dict[str, Any], change: dict[str, Any], field: str) -> None:
    errors = article_errors({**article, **change})
    assert errors, f"{change} passed the schema"
    assert any(e.startswith(f"{field}: ") for e in errors), errors
    # The fast check of the crawl refuses it too: the two validators hold the same verdict.
    assert not is_valid_article({**article, **change})


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_the_fast_check_and_jsonschema_agree_on_every_fixture(path: Path) -> None:
    item = expected(path)
    complete = not list(_validator().iter_errors(item))
    assert is_valid_article(item) is complete
    assert complete is (path.stem not in DROPPED)


def test_a_datetime_without_offset_says_what_it_should_match(article: dict[str, Any]) -> None:
    errors = article_errors({**article, "datePublished": "2024-06-20T10:00:00"})
    assert any(e.startswith("datePublished: '2024-06-20T10:00:00' does not match ") for e in errors), errors


def test_a_missing_field_is_named(article: dict[str, Any]) -> None:
    del article["headline"]
    assert article_errors(article) == ["headline: missing (a required field)"]


def test_datepublished_or_the_day_is_required(article: dict[str, Any]) -> None:
    (error,) = article_errors({**article, "datePublished": None})
    assert error.startswith("datePublished or datePublishedDay: one must be set")


def test_the_day_alone_is_only_for_an_article_without_a_time(article: dict[str, Any]) -> None:
    (error,) = article_errors({**article, "datePublishedDay": "2025-09-16"})
    assert error.startswith("datePublished: ")
