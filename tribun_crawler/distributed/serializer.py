"""Requests through the shared queue as JSON, not pickle: ``dumps``/``loads`` as scrapy-redis' ``SCHEDULER_SERIALIZER``.

scrapy-redis turns a request into a dict (Scrapy's ``Request.to_dict``: the URL, the callback and errback *by
name*, headers, body, meta, ``cb_kwargs`` …) and hands it to the serializer; its default is pickle, and unpickling
a value read from Redis runs whatever code the value names: anyone who can write to the queue could run code on
every worker. JSON only ever gives back data.

**What travels.** JSON-native values (``None``, bools, ints, finite floats, strings, lists, dicts with string
keys) travel as they are. The other values a request of this project carries are tagged ``{"$type": name,
"value": …}`` and come back as the same type:

- ``bytes`` (the request's headers and body) as base64;
- ``tuple`` (the ``(reason, detail)`` failures of ``meta.HELD_FAILURES``/``EARLIER_FAILURES``) as a list;
- a dict whose keys are not all strings (the headers: bytes names) as a list of ``[key, value]`` pairs;
- ``datetime``/``date`` as ISO 8601;
- the project's own types, by name, from :data:`TYPES` only: the :class:`~tribun_crawler.meta.PageKind` of a
  request's meta, and the :class:`~tribun_crawler.spiders.multipage.ArticleParts` (with its
  :class:`~tribun_crawler.items.ArticleItem`) a multi-page article carries in ``cb_kwargs``.

Meta keeps its Python types rather than being reduced to JSON-native values, so a component reads a request
that came through Redis exactly as one that did not (``PageKind`` members, tuples, the ``ArticleParts``
dataclass): nothing in the spider or the middlewares knows whether the queue is shared. Any other value is refused
when the request is queued (:class:`Unserializable`, a ``TypeError``), never sent as something it is not.

**What is refused.** ``loads`` accepts only a JSON object that is a request dict: a string ``url``, a ``callback``
and ``errback`` that are None or a name, no ``_class`` (Scrapy's ``request_from_dict`` would import whatever it
names; the spider only makes plain ``Request``), tags of the list above only. Anything else (a pickle, garbage,
an unknown tag) raises :class:`BadPayload`; the shared queue (``distributed/leases.py``) logs, counts and drops it.
Whether a callback name is a method of the spider is the queue's check, which has the spider.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from tribun_crawler.items import ArticleItem
from tribun_crawler.meta import PageKind
from tribun_crawler.spiders.multipage import ArticleParts

#: The project's own types a request may carry, by the name they travel under. Only these are ever built from a
#: payload; a class is added here (and to the round-trip tests) when a request starts carrying it.
TYPES: dict[str, type] = {"PageKind": PageKind, "ArticleParts": ArticleParts, "ArticleItem": ArticleItem}
_NAMES = {cls: name for name, cls in TYPES.items()}

TAG = "$type"
#: Request dict keys a payload may have: Scrapy's ``Request.attributes`` and the ``_class`` it adds for a subclass.
_REQUEST_KEYS = frozenset(
    {
        "url",
        "callback",
        "errback",
        "method",
        "headers",
        "body",
        "cookies",
        "meta",
        "encoding",
        "priority",
        "dont_filter",
        "flags",
        "cb_kwargs",
    }
)


class BadPayload(ValueError):
    """A queue entry that is no request dict of this serializer: dropped, never executed."""


class Unserializable(TypeError):
    """A request carrying a value that cannot travel through the shared queue as it is."""


def dumps(obj: dict[str, Any]) -> bytes:
    """A request dict (``Request.to_dict``) as UTF-8 JSON."""
    if "_class" in obj:
        # Refused here, when it is queued and counted, rather than dropped by every worker that would take it.
        raise Unserializable(f"only plain Requests travel through the shared queue, not {obj['_class']}")
    return json.dumps(_encode(obj), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def loads(payload: bytes | str) -> dict[str, Any]:
    """The request dict of a payload ``dumps`` made; :class:`BadPayload` for anything else."""
    try:
        obj = json.loads(payload, object_hook=_decode_object)
    except BadPayload:
        raise
    except (ValueError, TypeError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadPayload(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise BadPayload(f"not a request dict: a JSON {type(obj).__name__}")
    unknown = set(obj) - _REQUEST_KEYS
    if unknown:
        raise BadPayload(f"not a request dict: unexpected keys {sorted(unknown)}")
    if not isinstance(obj.get("url"), str):
        raise BadPayload("not a request dict: no url")
    for key in ("callback", "errback"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise BadPayload(f"{key} is not a method name: {obj[key]!r}")
    for key in ("meta", "cb_kwargs"):
        if not isinstance(obj.get(key, {}), dict):
            raise BadPayload(f"{key} is not a dict")
    return obj


def _encode(value: Any) -> Any:
    # Checked in this order: bool and enums are ints/strs too, datetime is a date.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return _tagged(value, value.value)
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            if TAG in value:
                raise Unserializable(f"a dict with a {TAG!r} key cannot travel through the shared queue")
            return {key: _encode(item) for key, item in value.items()}
        return {TAG: "dict", "value": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, tuple):
        return {TAG: "tuple", "value": [_encode(item) for item in value]}
    if isinstance(value, bytes):
        return {TAG: "bytes", "value": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "value": value.isoformat()}
    if is_dataclass(value) and not isinstance(value, type):
        return _tagged(value, {field.name: _encode(getattr(value, field.name)) for field in fields(value)})
    raise Unserializable(f"a {type(value).__name__} cannot travel through the shared queue: {value!r:.200}")


def _tagged(value: Any, encoded: Any) -> dict[str, Any]:
    name = _NAMES.get(type(value))
    if name is None:
        raise Unserializable(f"{type(value).__qualname__} is not one of serializer.TYPES: {value!r:.200}")
    return {TAG: name, "value": encoded}


def _decode_object(obj: dict[str, Any]) -> Any:
    """json's object hook: a tagged value back to its type (inner values are decoded first)."""
    if TAG not in obj:
        return obj
    tag, value = obj[TAG], obj.get("value")
    if set(obj) != {TAG, "value"}:
        raise BadPayload(f"a tagged value with other keys: {sorted(obj)}")
    try:
        return _decode_tagged(tag, value)
    except BadPayload:
        raise
    except (TypeError, ValueError, binascii.Error) as exc:
        raise BadPayload(f"a {tag!r} value that does not decode: {exc}") from None


def _decode_tagged(tag: Any, value: Any) -> Any:
    if tag == "tuple" and isinstance(value, list):
        return tuple(value)
    if tag == "dict" and isinstance(value, list):
        return {_hashable(pair[0]): pair[1] for pair in value if _is_pair(pair)}
    if tag == "bytes" and isinstance(value, str):
        return base64.b64decode(value, validate=True)
    if tag == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value)
    if tag == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    cls = TYPES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise BadPayload(f"unknown tag {tag!r}")
    if issubclass(cls, Enum):
        return cls(value)
    if not isinstance(value, dict):
        raise BadPayload(f"a {tag} that is not an object")
    return cls(**value)


def _is_pair(pair: Any) -> bool:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise BadPayload(f"a dict entry that is not a [key, value] pair: {pair!r:.200}")
    return True


def _hashable(key: Any) -> Any:
    if isinstance(key, (list, dict)):
        raise BadPayload(f"a dict key that is not hashable: {key!r:.200}")
    return key
