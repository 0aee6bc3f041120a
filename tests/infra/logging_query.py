"""An evaluator for the subset of the Cloud Logging query language that the log-based metrics in
infra/terraform/monitoring-metrics.tf use, so their filters can be run against the log lines the
code really writes (tests/infra/test_log_metric_filters.py).

The subset: comparisons `path OP value` with OP one of = != : < <= > >=, a path of dotted names
(`jsonPayload.event`, `resource.labels.service_name`), a value that is a double-quoted string
(with \\" escapes) or a bare word or number; AND, OR, NOT and parentheses. Anything else (an
implicit AND between two terms, `=~` regular expressions, functions, `-` negation, `*`
wildcards, quoted path segments) is refused with QueryOutsideSubset, so a filter that starts
using more of the language fails loudly here instead of being half-understood.

Semantics, as Cloud Logging documents them for these operators: `=` compares a string field
with the value exactly, and a number field numerically when the value is a number; `:` is "has",
a case-insensitive substring test; `!=` is `NOT (path = value)`, so it also matches an entry
without the field; an ordering comparison compares numbers numerically and strings
lexically; a comparison of a field the entry lacks is false. Booleans compare as "true" and
"false". The filters here rely only on exact-case values, never on case folding of `=`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Entry = Mapping[str, Any]
Predicate = Callable[[Entry], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<op>>=|<=|!=|=~|!~|=|:|<|>)
      | (?P<paren>[()])
      | (?P<word>[A-Za-z0-9_][A-Za-z0-9_.\-/@]*)
      | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"AND", "OR", "NOT"}
_COMPARISONS = {"=", "!=", ":", "<", "<=", ">", ">="}
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class QueryOutsideSubset(ValueError):
    """The filter uses something this evaluator does not implement."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, op, paren, word, keyword
    text: str


def _tokens(query: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        kind = match.lastgroup
        if kind is None:
            continue
        text = match.group(kind)
        if kind == "other":
            raise QueryOutsideSubset(f"unexpected {text!r} at {match.start(kind)} in {query!r}")
        if kind == "op" and text not in _COMPARISONS:
            raise QueryOutsideSubset(f"operator {text} is outside the subset: {query!r}")
        if kind == "word" and text in _KEYWORDS:
            kind = "keyword"
        found.append(_Token(kind, text))
    return found


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


class _Parser:
    def __init__(self, query: str) -> None:
        self._query = query
        self._tokens = _tokens(query)
        self._at = 0

    def parse(self) -> Predicate:
        if not self._tokens:
            raise QueryOutsideSubset("an empty filter matches everything: not in the subset")
        predicate = self._or()
        if self._at != len(self._tokens):
            token = self._tokens[self._at]
            raise QueryOutsideSubset(
                f"{token.text!r} after a complete term (an implicit AND?) in {self._query!r}"
            )
        return predicate

    def _peek(self) -> _Token | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _take(self) -> _Token:
        token = self._peek()
        if token is None:
            raise QueryOutsideSubset(f"the filter ends too early: {self._query!r}")
        self._at += 1
        return token

    def _or(self) -> Predicate:
        terms = [self._and()]
        while (token := self._peek()) is not None and token.text == "OR":
            self._take()
            terms.append(self._and())
        return terms[0] if len(terms) == 1 else (lambda e: any(t(e) for t in terms))

    def _and(self) -> Predicate:
        terms = [self._not()]
        while (token := self._peek()) is not None and token.text == "AND":
            self._take()
            terms.append(self._not())
        return terms[0] if len(terms) == 1 else (lambda e: all(t(e) for t in terms))

    def _not(self) -> Predicate:
        token = self._peek()
        if token is not None and token.text == "NOT":
            self._take()
            inner = self._not()
            return lambda e: not inner(e)
        return self._primary()

    def _primary(self) -> Predicate:
        token = self._take()
        if token.text == "(":
            inner = self._or()
            if self._take().text != ")":
                raise QueryOutsideSubset(f"unbalanced parentheses in {self._query!r}")
            return inner
        if token.kind != "word" or not _PATH.fullmatch(token.text):
            raise QueryOutsideSubset(f"{token.text!r} is not a field path in {self._query!r}")
        operator = self._take()
        if operator.kind != "op":
            raise QueryOutsideSubset(
                f"a bare term {token.text!r} (global search) is outside the subset"
            )
        value = self._take()
        if value.kind == "string":
            text, bare = _unescape(value.text), False
        elif value.kind == "word":
            text, bare = value.text, True
        else:
            raise QueryOutsideSubset(f"{value.text!r} is not a value in {self._query!r}")
        return _comparison(token.text, operator.text, text, bare)


def _lookup(entry: Entry, path: str) -> tuple[bool, Any]:
    value: Any = entry
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return value is not None, value


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(operator: str, field: Any, wanted: str) -> bool:
    if isinstance(field, (Mapping, list)):
        raise QueryOutsideSubset("comparing a whole object or list is outside the subset")
    number = _number(wanted)
    left: Any
    right: Any
    if isinstance(field, (int, float)) and not isinstance(field, bool) and number is not None:
        left, right = float(field), number
    else:
        left, right = _as_text(field), wanted
    if operator == "=":
        return bool(left == right)
    if operator == ":":
        return wanted.lower() in _as_text(field).lower()
    if operator == "<":
        return bool(left < right)
    if operator == "<=":
        return bool(left <= right)
    if operator == ">":
        return bool(left > right)
    return bool(left >= right)


def _comparison(path: str, operator: str, wanted: str, bare: bool) -> Predicate:
    del bare  # a bare word and a quoted string compare alike in the subset
    if operator == "!=":
        equal = _comparison(path, "=", wanted, False)
        return lambda e: not equal(e)

    def test(entry: Entry) -> bool:
        present, value = _lookup(entry, path)
        return present and _compare(operator, value, wanted)

    return test


def compile_filter(query: str) -> Predicate:
    """The filter as a predicate over LogEntry-shaped dicts; QueryOutsideSubset if it uses more
    of the language than this evaluator implements."""
    return _Parser(query).parse()


_EXTRACT = re.compile(r"EXTRACT\(([A-Za-z_][A-Za-z0-9_.]*)\)")


def extractor_path(expression: str) -> str:
    """The field path of a label or value extractor; only EXTRACT(path) is in the subset."""
    match = _EXTRACT.fullmatch(expression)
    if match is None:
        raise QueryOutsideSubset(f"extractor {expression!r}: only EXTRACT(field) is supported")
    return match.group(1)


def extract(entry: Entry, expression: str) -> tuple[bool, Any]:
    """(present, value) of an EXTRACT(path) extractor for one entry."""
    return _lookup(entry, extractor_path(expression))
