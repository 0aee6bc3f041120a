"""What each function's code can publish, derived from the code rather than from the topic
environment variables Terraform happens to set.

A function's main.py calls into licence_manager.entrypoints, which builds its services through
licence_manager.bootstrap. Following the module-level functions those two modules call (or hand
on, like `reports=reports`) gives the bootstrap builders a function can reach. A builder that
hands `publisher()` to a service class lets that function publish whatever the class calls on its
publisher (directly, or through a helper it calls such as `republish_if_unsent`). Which topic, and
so which environment variable, each Publisher method publishes to is found by running
`bootstrap.publisher()` against a recording Pub/Sub client.

Anything this cannot follow (a publisher built some other way, an entry point that does not
exist) is an error that says so, never a silent "publishes nothing"."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

from tests.infra.terraform import ROOT

SHARED = ROOT / "src" / "licence_manager"
ENTRYPOINTS = "licence_manager.entrypoints"
BOOTSTRAP = "licence_manager.bootstrap"


class CannotTell(AssertionError):
    """The scan met code it cannot follow: fix the scan rather than guess."""


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _top_level_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def publisher_methods() -> tuple[str, ...]:
    """The Publisher port's abstract methods: every way the code publishes."""
    from licence_manager.ports import Publisher

    return tuple(sorted(Publisher.__abstractmethods__))


# --- which bootstrap builders a function reaches ------------------------------------------------


def entrypoint_calls(function: str) -> set[str]:
    """Names main.py imports from licence_manager.entrypoints (all of which it calls)."""
    main = ROOT / "functions" / function / "main.py"
    names = {
        alias.name
        for node in ast.walk(_tree(main))
        if isinstance(node, ast.ImportFrom) and node.module == ENTRYPOINTS
        for alias in node.names
    }
    if not names:
        raise CannotTell(f"functions/{function}/main.py imports nothing from {ENTRYPOINTS}")
    return names


def _references(
    node: ast.AST, local: set[str], bootstrap_alias: str | None
) -> Iterator[tuple[str, str]]:
    """(module, name) of every module-level function of entrypoints/bootstrap a body mentions:
    a bare name of the same module, or bootstrap.<name>."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id in local:
            yield "self", child.id
        elif (
            bootstrap_alias is not None
            and isinstance(child, ast.Attribute)
            and isinstance(child.value, ast.Name)
            and child.value.id == bootstrap_alias
        ):
            yield BOOTSTRAP, child.attr


@functools.cache
def _module_functions(module: str) -> dict[str, ast.FunctionDef]:
    path = SHARED / (module.removeprefix("licence_manager.").replace(".", "/") + ".py")
    return _top_level_functions(_tree(path))


def reached_builders(function: str) -> set[str]:
    """Bootstrap builders the function's entry point can reach."""
    entry_functions = _module_functions(ENTRYPOINTS)
    boot_functions = _module_functions(BOOTSTRAP)
    pending: list[tuple[str, str]] = []
    for name in entrypoint_calls(function):
        if name not in entry_functions:
            raise CannotTell(
                f"functions/{function}/main.py calls {ENTRYPOINTS}.{name}, which "
                "src/licence_manager/entrypoints.py does not define"
            )
        pending.append((ENTRYPOINTS, name))
    seen: set[tuple[str, str]] = set()
    while pending:
        module, name = pending.pop()
        if (module, name) in seen:
            continue
        seen.add((module, name))
        functions = entry_functions if module == ENTRYPOINTS else boot_functions
        if name not in functions:
            raise CannotTell(f"{module}.{name} is not a module-level function")
        alias = "bootstrap" if module == ENTRYPOINTS else None
        for target_module, target in _references(functions[name], set(functions), alias):
            pending.append((module if target_module == "self" else target_module, target))
    return {name for module, name in seen if module == BOOTSTRAP}


# --- what the services a builder wires with the publisher call on it ----------------------------


def _is_publisher_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "publisher"
        and not node.args
    )


def services_given_the_publisher(builder: str) -> list[type]:
    """Classes the builder constructs with `publisher()` among their arguments. Any other use of
    the publisher in a builder (other than being the publisher builder itself) is refused."""
    if builder == "publisher":
        return []
    body = _module_functions(BOOTSTRAP)[builder]
    bootstrap = importlib.import_module(BOOTSTRAP)
    local_imports = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in ast.walk(body)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    handed: list[type] = []
    accounted: set[int] = set()
    for node in ast.walk(body):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        arguments = [*node.args, *(k.value for k in node.keywords)]
        given = [a for a in arguments if _is_publisher_call(a)]
        if not given:
            continue
        name = node.func.id
        if name in local_imports:
            module, attribute = local_imports[name]
            found = getattr(importlib.import_module(module), attribute)
        else:
            found = getattr(bootstrap, name, None)
        if not inspect.isclass(found):
            raise CannotTell(f"bootstrap.{builder} hands publisher() to {name}, not a class")
        handed.append(found)
        accounted.update(id(a) for a in given)
    accounted_names = {
        id(node.func)
        for node in ast.walk(body)
        if isinstance(node, ast.Call) and id(node) in accounted
    }
    for node in ast.walk(body):
        if (
            isinstance(node, ast.Name)
            and node.id == "publisher"
            and id(node) not in accounted_names
        ):
            raise CannotTell(
                f"bootstrap.{builder} uses the publisher other than by handing publisher() to a "
                "service class: teach tests/infra/publishing.py what it publishes"
            )
    return handed


def _publishes_in(source_of: Callable[..., Any] | type, seen: set[str]) -> set[str]:
    """Publisher methods called in a class or function, following calls to functions of
    licence_manager it calls by name (helpers like republish_if_unsent)."""
    key = f"{source_of.__module__}.{source_of.__qualname__}"
    if key in seen:
        return set()
    seen.add(key)
    methods = set(publisher_methods())
    tree = ast.parse(textwrap.dedent(inspect.getsource(source_of)))
    module: ModuleType = importlib.import_module(source_of.__module__)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr in methods:
            found.add(node.func.attr)
        elif isinstance(node.func, ast.Name):
            helper = getattr(module, node.func.id, None)
            if isinstance(helper, FunctionType) and helper.__module__.startswith(
                "licence_manager."
            ):
                found |= _publishes_in(helper, seen)
    return found


def methods_published(function: str) -> set[str]:
    """Publisher methods the function's code can call."""
    published: set[str] = set()
    for builder in reached_builders(function):
        for service in services_given_the_publisher(builder):
            published |= _publishes_in(service, set())
    return published


# --- which environment variable names each method's topic ---------------------------------------


# Arguments of the Publisher methods that take more than one id.
SAMPLE_ARGUMENTS: dict[str, tuple[Any, ...]] = {
    "publish_month_end_customers": ("2026-10", ["C01"]),
    "publish_month_end_page": ("2026-10", "C01"),
    "publish_holder_sync_customers": (["C01"],),
    "publish_audit_verify_customers": (["C01"],),
}


class _RecordingClient:
    def __init__(self) -> None:
        self.published: list[str] = []

    @staticmethod
    def topic_path(project: str, topic: str) -> str:
        return f"projects/{project}/topics/{topic}"

    def publish(self, topic: str, data: bytes) -> Any:
        self.published.append(topic)
        return self

    def result(self, timeout: float | None = None) -> str:
        return "1"


def topic_variable_of_method(monkeypatch: Any) -> dict[str, str]:
    """Publisher method → the environment variable that names its topic, found by building the
    production publisher (bootstrap.publisher) with each topic variable set to its own name."""
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    from licence_manager import bootstrap
    from licence_manager.config import Settings

    variables = {
        "TOPUP_TOPIC",
        "ALERT_TOPIC",
        "MONTH_END_TOPIC",
        "MONTH_END_CUSTOMER_TOPIC",
        "HOLDER_SYNC_TOPIC",
        "HOLDER_SYNC_CUSTOMER_TOPIC",
        "AUDIT_VERIFY_TOPIC",
        "AUDIT_VERIFY_CUSTOMER_TOPIC",
    }
    client = _RecordingClient()
    monkeypatch.setattr(pubsub_v1, "PublisherClient", lambda: client)
    for variable in variables:
        monkeypatch.setenv(variable, f"topic-named-by-{variable}")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    bootstrap.clear()
    try:
        publisher = bootstrap.publisher()
        result = {}
        for method in publisher_methods():
            getattr(publisher, method)(*SAMPLE_ARGUMENTS.get(method, ("some-id",)))
            topic = client.published[-1].rsplit("/", 1)[-1]
            variable = topic.removeprefix("topic-named-by-")
            if variable not in variables:
                raise CannotTell(
                    f"Publisher.{method} publishes to {topic!r}, a topic no known variable names"
                )
            result[method] = variable
    finally:
        bootstrap.clear()
    # The variables above are exactly the topic settings the code has.
    topic_fields = {f for f in Settings.__dataclass_fields__ if f.endswith("_topic")}
    assert len(topic_fields) == len(variables), topic_fields
    return result
