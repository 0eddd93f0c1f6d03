"""JSON-LD as Tribun pages carry it, flattened into plain schema.org nodes.

Eras differ: 2018 to 2024 pages hold several ``ld+json`` scripts (the ``NewsArticle`` in the second, or
none at all), 2025+ pages wrap ``BreadcrumbList`` and ``NewsArticle`` in one ``@graph``. Readers here take any
of those shapes and return None or empty values where the page says nothing, so extractors can fall back to
meta tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from w3lib.html import replace_entities

from tribun_crawler.text import clean_text

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"})
# A \uD800-\uDFFF escape: JSON may spell half a surrogate pair alone, which json.loads keeps as is.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def nodes(scripts: Iterable[str]) -> list[dict[str, Any]]:
    """Every JSON object of the given ``script[type="application/ld+json"]`` texts, ``@graph`` unwrapped.

    A script that is not valid JSON is skipped: one broken block must not hide the others.
    """
    found: list[dict[str, Any]] = []
    for text in scripts:
        try:
            # strict=False: descriptions are pasted with raw line breaks and tabs inside the strings.
            data = json.loads(text, strict=False)
        except json.JSONDecodeError:
            continue
        if _SURROGATE_ESCAPE.search(text):
            data = _without_lone_surrogates(data)
        found.extend(_objects(data))
    return found


def _without_lone_surrogates(data: Any) -> Any:
    """``data`` with every lone surrogate in its strings replaced by U+FFFD: no UTF-8 feed can hold one."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(data, list):
        return [_without_lone_surrogates(value) for value in data]
    if isinstance(data, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(value) for key, value in data.items()}
    return data


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _objects(entry)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _objects(graph)
        else:
            yield data


def types_of(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def first_of_type(found: list[dict[str, Any]], wanted: frozenset[str]) -> dict[str, Any]:
    """The first node whose ``@type`` is one of ``wanted``, or an empty dict."""
    return next((node for node in found if types_of(node) & wanted), {})


def text(value: Any) -> str | None:
    """A string property, HTML entities decoded (Tribun's JSON-LD carries ``&quot;`` and the like)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    if not isinstance(value, str):
        return None
    return _clean(value) or None


def url(value: Any) -> str | None:
    """A URL property given as a string, an object with ``url``/``@id``/``item``, or a list of those."""
    if isinstance(value, list):
        return next((u for u in (url(v) for v in value) if u), None)
    if isinstance(value, dict):
        return url(value.get("url") or value.get("@id") or value.get("item") or value.get("contentUrl"))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def strings(value: Any) -> list[str]:
    """A list property given as a list, or as one comma-separated string (``keywords``)."""
    items = value if isinstance(value, list) else [value]
    result: list[str] = []
    for item in items:
        if isinstance(item, str):
            result.extend(part for part in (_clean(p) for p in item.split(",")) if part)
    return result


def people(value: Any) -> list[tuple[str, str | None, set[str]]]:
    """``author``/``editor`` as (name, url, types): one object, a list of objects, or plain name strings."""
    items = value if isinstance(value, list) else [value]
    result: list[tuple[str, str | None, set[str]]] = []
    for item in items:
        if isinstance(item, dict):
            name = text(item.get("name"))
            if name:
                result.append((name, url(item.get("url") or item.get("sameAs")), types_of(item)))
        elif isinstance(item, str) and item.strip():
            result.append((_clean(item), None, set()))
    return result


def boolean(value: Any) -> bool | None:
    """A boolean property; pages write it as ``false`` or as the string ``"False"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _clean(value: str) -> str:
    """``value`` with HTML entities decoded, as clean text; most values hold no entity to decode."""
    return clean_text(replace_entities(value) if "&" in value else value)
