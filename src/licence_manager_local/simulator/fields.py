"""The `fields` partial-response parameter every Google JSON API accepts.

Supports the documented grammar: `a,b`, `a/b` and `a(b,c)`, plus `*`. Production code
that trims responses with `fields=` then sees the same shape it will get from Google.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid

FieldTree = dict[str, "FieldTree"]  # an empty tree means "the whole value"

_SPECIAL = ",()/"


def parse_fields(spec: str) -> FieldTree:
    parser = _Parser(spec.replace(" ", ""))
    tree = parser.selection()
    if parser.pos != len(parser.text):
        raise _bad(spec)
    return tree


def apply_fields(value: Any, tree: FieldTree) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [apply_fields(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree:
        return {k: apply_fields(v, tree["*"]) for k, v in value.items()}
    return {k: apply_fields(value[k], sub) for k, sub in tree.items() if k in value}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def selection(self) -> FieldTree:
        tree: FieldTree = {}
        while True:
            name, sub = self.item()
            _merge(tree, name, sub)
            if self._peek() != ",":
                return tree
            self.pos += 1

    def item(self) -> tuple[str, FieldTree]:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _SPECIAL:
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            raise _bad(self.text)
        if self._peek() == "/":
            self.pos += 1
            child, sub = self.item()
            return name, {child: sub}
        if self._peek() == "(":
            self.pos += 1
            sub = self.selection()
            if self._peek() != ")":
                raise _bad(self.text)
            self.pos += 1
            return name, sub
        return name, {}

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""


def _merge(tree: FieldTree, name: str, sub: FieldTree) -> None:
    if name not in tree:
        tree[name] = sub
    elif not tree[name] or not sub:
        tree[name] = {}
    else:
        for child, child_sub in sub.items():
            _merge(tree[name], child, child_sub)


def _bad(spec: str) -> Exception:
    return invalid(f"Invalid field selection {spec}")
