"""The project's one-owner rules, checked on its source: stat names in ``stats.py``, defaults in ``settings.py``.

A new ``inc_value("tribun/…")`` or ``settings.getint("TRIBUN_…", 10)`` elsewhere fails here, naming the file and line.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

from tribun_crawler import settings as project_settings
from tribun_crawler import stats as stat

PACKAGE = Path(__file__).resolve().parent.parent / "tribun_crawler"
FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12 on
SETTINGS_GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getdictorlist", "getwithbase"}


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def stat_literals(source: str) -> list[int]:
    """Lines of string literals (f-strings included) that spell a ``tribun/`` stat name; docstrings start otherwise."""
    lines = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for index, token in enumerate(tokens):
        text = None
        if token.type == tokenize.STRING:
            text = token.string.lstrip("rbfRBF")  # an f-string is one STRING token before Python 3.12
        elif token.type == FSTRING_START:
            text = token.string[-1] + tokens[index + 1].string
        if text is not None and text[1:].startswith("tribun/"):
            lines.append(token.start[0])
    return lines


def test_stat_names_are_spelled_only_in_stats_py() -> None:
    found = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in package_files()
        if path.name != "stats.py"
        for line in stat_literals(path.read_text(encoding="utf-8"))
    }
    assert found == set()


def test_the_literal_finder_sees_plain_and_formatted_stat_names() -> None:
    source = 'a = "tribun/x"\nb = f"tribun/y/{a}"\nc = "not/tribun/z"\n'
    assert stat_literals(source) == [1, 2]


def test_a_family_spells_its_members_and_reads_them_back() -> None:
    stats = {
        "tribun/dropped/short_body": 2,
        "tribun/dropped/bad_date": 1,
        "tribun/dropped_total": 9,
        "tribun/dropped/flag": True,
        "tribun/duplicates/url": 4,
    }
    assert stat.DROPPED("short_body") == "tribun/dropped/short_body"
    assert stat.DROPPED.of(stats) == {"bad_date": 1, "short_body": 2}
    assert list(stat.DROPPED.of(stats)) == ["bad_date", "short_body"]  # sorted, as the report lists them


def test_every_stat_name_is_under_the_project_prefix() -> None:
    for name, value in vars(stat).items():
        if name.isupper() and name != "PREFIX":
            spelled = value.prefix if isinstance(value, stat.Family) else value
            assert spelled.startswith(stat.PREFIX), name


def settings_reads_with_a_fallback(source: str) -> list[tuple[int, str]]:
    """``settings.get…("NAME", default)`` calls: a default restated where a setting is read."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SETTINGS_GETTERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and hasattr(project_settings, node.args[0].value)
            and (len(node.args) > 1 or node.keywords)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def test_settings_of_the_project_are_read_without_a_default_of_their_own() -> None:
    found = {
        f"{path.relative_to(PACKAGE)}:{line} {name}"
        for path in package_files()
        if path.name != "settings.py"
        for line, name in settings_reads_with_a_fallback(path.read_text(encoding="utf-8"))
    }
    assert found == set()


def test_the_fallback_finder_sees_a_restated_default() -> None:
    source = 'x = settings.getint("TRIBUN_MIN_BODY_CHARS", 400)\ny = settings.getint("TRIBUN_MIN_BODY_CHARS")\n'
    assert settings_reads_with_a_fallback(source) == [(1, "TRIBUN_MIN_BODY_CHARS")]


def test_components_are_listed_in_the_order_a_request_or_item_meets_them() -> None:
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS"):
        orders = [order for order in getattr(project_settings, name).values() if order is not None]
        assert orders == sorted(orders), name


#: The methods Scrapy calls on downloader and spider middlewares.
MIDDLEWARE_METHODS = frozenset(
    {
        "process_request",
        "process_response",
        "process_exception",
        "process_spider_input",
        "process_spider_output",
        "process_spider_output_async",
        "process_spider_exception",
        "process_start",
    }
)


def legacy_middleware_methods(source: str) -> list[tuple[int, str]]:
    """(line, name) of each middleware method that still takes Scrapy's deprecated ``spider`` argument, in the
    project's own middlewares (a subclass of one of Scrapy's keeps its base's signature, which mypy checks)."""
    found = []
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef) or cls.bases:
            continue
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in MIDDLEWARE_METHODS:
                names = [arg.arg for arg in (*node.args.args, *node.args.kwonlyargs)]
                if "spider" in names:
                    found.append((node.lineno, node.name))
    return found


def test_middleware_methods_take_no_spider_argument() -> None:
    # Scrapy 2.13+ drops ``spider`` from these signatures; one middleware still taking it sends the whole chain down
    # Scrapy's deprecated path, where four workers with shared pacing lost related-link requests (it did).
    found = {
        f"{path.relative_to(PACKAGE)}:{line} {name}"
        for path in package_files()
        for line, name in legacy_middleware_methods(path.read_text(encoding="utf-8"))
    }
    assert found == set()


def test_the_legacy_signature_finder_sees_a_spider_argument() -> None:
    source = "class M:\n    def process_response(self, request, response, spider=None):\n        return response\n"
    assert legacy_middleware_methods(source) == [(2, "process_response")]
