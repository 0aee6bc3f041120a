"""Reading infra/terraform with python-hcl2, for tests that compare it with the code.

python-hcl2 keeps HCL's quoting: a string literal comes back as '"text"', an expression as
'${expr}', block labels as '"name"'. These helpers take that off where a test needs plain
values."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "infra" / "terraform"
ENV_NAME = re.compile(r"\b([A-Z][A-Z0-9_]{2,})\s*=")


def tf_files() -> list[Path]:
    return sorted(TF_DIR.glob("*.tf"))


@functools.cache
def parsed() -> dict[str, dict[str, Any]]:
    """Each .tf file, parsed."""
    result = {}
    for path in tf_files():
        with path.open(encoding="utf-8") as handle:
            result[path.name] = hcl2.load(handle)
    return result


def unquote(value: Any) -> Any:
    """'"text"' → 'text'; anything else unchanged."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def plain(value: Any) -> Any:
    """A parsed literal with every string unquoted and hcl2's bookkeeping keys dropped."""
    if isinstance(value, dict):
        return {unquote(k): plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return unquote(value)


def locals_() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for document in parsed().values():
        for block in document.get("locals", []):
            for key, value in block.items():
                if not key.startswith("__"):
                    assert key not in merged, f"local.{key} is defined twice"
                    merged[key] = value
    return merged


def labelled(kind: str) -> dict[str, dict[str, Any]]:
    """Single-label blocks (variable, output) by name."""
    found: dict[str, dict[str, Any]] = {}
    for document in parsed().values():
        for block in document.get(kind, []):
            for label, body in block.items():
                found[unquote(label)] = body
    return found


def resources(type_: str, kind: str = "resource") -> dict[str, dict[str, Any]]:
    """Resources (or data sources) of one type, by name."""
    found: dict[str, dict[str, Any]] = {}
    for document in parsed().values():
        for block in document.get(kind, []):
            for type_label, by_name in block.items():
                if unquote(type_label) == type_:
                    for name, body in by_name.items():
                        found[unquote(name)] = body
    return found


def all_resources() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (unquote(t), unquote(n), body)
        for document in parsed().values()
        for block in document.get("resource", [])
        for t, by_name in block.items()
        for n, body in by_name.items()
    ]


def render(template: str, values: dict[str, str]) -> str:
    """Substitute ${name} interpolations from `values` in a parsed string; fail on others."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"no value for ${{{name}}} in {template!r}"
        return values[name]

    return re.sub(r"\$\{([^}]+)\}", substitute, unquote(template))


def env_names(expression: str) -> set[str]:
    """Upper-case keys assigned in an HCL expression, e.g. the names a merge() sets."""
    return set(ENV_NAME.findall(expression))


def function_env() -> dict[str, set[str]]:
    """Environment variable names Terraform sets on each function, secrets included."""
    locals_map = locals_()
    common = set(plain(locals_map["common_env"]))
    reseller = env_names(locals_map["reseller_env"])
    workspace = env_names(locals_map["workspace_env"])
    secrets = {name: set(plain(value)) for name, value in locals_map["function_secrets"].items()}
    result = {}
    for name, expression in locals_map["function_env"].items():
        names = env_names(expression)
        if "local.common_env" in expression:
            names |= common
        if f"local.reseller_env.{name}" in expression:
            names |= reseller
        if f"local.workspace_env.{name}" in expression:
            names |= workspace
        result[name] = names | secrets.get(name, set())
    return result
