"""The JSON Schema of an article (``article.schema.json``, draft 2020-12): the contract of the feed.

Every line of a feed validates against it. :func:`article_errors` checks one item and names the field at fault::

    from tribun_crawler.schema import article_errors

    problems = article_errors(item)  # [] for a valid article, else ["datePublished: '2024-06-20T10:00:00' ..."]

The schema's ``pattern`` keywords hold the shapes a generic validator checks without format support (offset-aware
dates, https article URLs); the validator here also checks ``format`` (``date-time``, ``date``, ``uri``) with the
standard library, so no format extra of ``jsonschema`` is needed.

The crawl checks every article (``pipelines/validate.py``), so the check of a valid item must be cheap: it is
``fastjsonschema``'s compiled validator (about 0.1 ms an article, six times less than ``jsonschema``), and only
an item it refuses is read again by ``jsonschema`` for every problem with its field. ``tests/test_schema.py``
holds the two to the same verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.exceptions import relevance

SCHEMA_FILE = "article.schema.json"

_FORMATS = FormatChecker(["date"])  # jsonschema's own "date" check; "date-time" and "uri" below


@_FORMATS.checks("date-time", raises=ValueError)
def _is_offset_aware_date_time(value: object) -> bool:
    """ISO 8601 readable by the standard library, with its UTC offset (a time without a zone is ambiguous)."""
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@_FORMATS.checks("uri", raises=ValueError)
def _is_absolute_url(value: object) -> bool:
    """An absolute http(s) URL without whitespace."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


@cache
def article_schema() -> dict[str, Any]:
    """The article's JSON Schema, read once from the package."""
    text = resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(article_schema(), format_checker=_FORMATS)


def _format(check: Any, raises: type[Exception] | tuple[type[Exception], ...]) -> Any:
    """A format check of ``_FORMATS`` as fastjsonschema calls it: True or False, never an exception."""

    def holds(value: object) -> bool:
        try:
            return bool(check(value))
        except raises:
            return False

    return holds


@cache
def _fast_validator() -> Any:
    """The schema compiled to Python by fastjsonschema, with the same format checks."""
    formats = {name: _format(func, raises) for name, (func, raises) in _FORMATS.checkers.items()}
    return fastjsonschema.compile(article_schema(), formats=formats)


def is_valid_article(item: Mapping[str, Any]) -> bool:
    """The fast verdict alone: ``item`` is a valid feed article."""
    try:
        _fast_validator()(dict(item))
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One way an item breaks the schema."""

    field: str
    """The path of the field at fault (``authors/0``, ``datePublished``; ``(item)`` for the object as a whole)."""
    keyword: str
    """The schema keyword that failed (``type``, ``pattern``, ``required``, ``additionalProperties`` …)."""
    message: str
    """What is wrong, starting with the field's path."""


def article_problems(item: Mapping[str, Any]) -> list[SchemaProblem]:
    """Why ``item`` is not a valid feed article, most relevant first; empty when it is valid."""
    if is_valid_article(item):
        return []
    errors = sorted(_validator().iter_errors(dict(item)), key=relevance)
    return [problem for error in errors for problem in _problems(error)]


def article_errors(item: Mapping[str, Any]) -> list[str]:
    """Why ``item`` is not a valid feed article, one message per problem, each starting with the field's path
    (``authors/0``, ``datePublished``; ``(item)`` for the object as a whole). Empty when it is valid."""
    return [problem.message for problem in article_problems(item)]


def _problems(error: ValidationError) -> Iterable[SchemaProblem]:
    keyword = str(error.validator)
    path = _path(error)
    if error.validator == "required":
        # One error per missing field; its message is "'<name>' is a required property".
        missing = [name for name in error.validator_value if error.message == f"{name!r} is a required property"]
        for name in missing:
            field = _join(path, name)
            yield SchemaProblem(field, keyword, f"{field}: missing (a required field)")
        return
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        for name in extra:
            field = _join(path, name)
            yield SchemaProblem(field, keyword, f"{field}: unexpected field (not in the schema)")
        return
    if error.validator == "anyOf" and error.context and not error.path:
        # "datePublished OR datePublishedDay": say what each alternative lacks, not the whole item's repr.
        fields = " or ".join(dict.fromkeys(_path(sub) for sub in error.context))
        reasons = "; ".join(f"{_path(sub)}: {sub.message}" for sub in error.context)
        yield SchemaProblem(fields, keyword, f"{fields}: one must be set ({reasons})")
        return
    message = error.message
    if error.validator == "pattern":
        message = f"{error.instance!r} does not match {error.validator_value}"
    why = article_schema()["then"].get("description") if error.schema_path[0] == "then" else None
    yield SchemaProblem(path, keyword, f"{path}: {message}" + (f" ({why})" if why else ""))


def _join(path: str, name: str) -> str:
    return name if path == "(item)" else f"{path}/{name}"


def _path(error: ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(item)"
