"""Security review #15: each function bundle pins its whole dependency set, with hashes, at
the versions the tests ran on (tools/lock_functions.py writes the locks from requirements.in
and the virtualenv)."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tools import package_functions

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = package_functions.function_names()
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)")
# Cloud Functions' Python 3.11 runtime: Linux, CPython 3.11.
TARGET = {**default_environment(), "python_version": "3.11", "sys_platform": "linux"}


def locked(name: str) -> dict[str, tuple[str, int]]:
    """Distribution → (version, hashes) in functions/<name>/requirements.txt."""
    found: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / "functions" / name / "requirements.txt").read_text().splitlines():
        pin = PIN.match(line)
        if pin:
            current = canonicalize_name(pin.group(1))
            found[current] = (pin.group(2), 0)
        elif "--hash=sha256:" in line and current:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def direct(name: str) -> list[Requirement]:
    lines = (ROOT / "functions" / name / "requirements.in").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution the requirements need on the target, from installed metadata."""
    seen: set[str] = set()
    todo = [(r, frozenset(r.extras)) for r in requirements]
    while todo:
        requirement, extras = todo.pop()
        dist = canonicalize_name(requirement.name)
        if dist in seen and not extras:
            continue
        seen.add(dist)
        for text in metadata.requires(requirement.name) or []:
            needed = Requirement(text)
            if needed.marker is None or any(
                needed.marker.evaluate({**TARGET, "extra": extra}) for extra in {"", *extras}
            ):
                todo.append((needed, frozenset(needed.extras)))
    return seen


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_pin_has_hashes_and_is_the_tested_version(name: str) -> None:
    pins = locked(name)
    assert pins, f"functions/{name}/requirements.txt pins nothing"
    for dist, (version, hashes) in pins.items():
        assert hashes >= 1, f"{name}: {dist} has no --hash"
        assert metadata.version(dist) == version, (
            f"{name}: {dist}=={version} is locked but {metadata.version(dist)} was tested: "
            "run tools/lock_functions.py"
        )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_lock_covers_everything_the_direct_dependencies_need(name: str) -> None:
    needed = closure(direct(name))
    missing = needed - set(locked(name))
    assert not missing, f"{name}'s lock misses {sorted(missing)}: run tools/lock_functions.py"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_main_imports_only_what_the_lock_provides(name: str) -> None:
    tree = ast.parse((ROOT / "functions" / name / "main.py").read_text())
    tops = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    provided = metadata.packages_distributions()
    third_party = tops - set(sys.stdlib_module_names) - {"licence_manager", ""}
    pins = set(locked(name))
    for module in third_party:
        assert {canonicalize_name(d) for d in provided[module]} & pins, (name, module)


def test_the_direct_dependencies_are_pinned_too() -> None:
    for name in FUNCTIONS:
        for requirement in direct(name):
            assert str(requirement.specifier).startswith("=="), (name, requirement)
