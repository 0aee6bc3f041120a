"""Firestore indexes in infra/terraform/firestore.tf against the queries the code runs.

The queries are read from the deployed code (every module that goes into the function zips):
each function that builds a query with FieldFilter / where() / order_by() on a collection. For
each, Firestore's rules decide what it needs: document-id ranges use the built-in index;
equality filters, or a range and order on one field, use automatic single-field indexes (which
a field override must not have switched off); anything else needs a composite index declared in
local.firestore_composite_indexes, fields in order: equalities first, then the range or order
fields."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from typing import Any

import pytest
from tools import package_functions

from tests.infra.terraform import ROOT, locals_, plain, resources, unquote

SHARED = ROOT / "src" / "licence_manager"
DOCUMENT_ID = "__name__"
EQUALITY = {
    "==",
    "in",
    "array_contains",
    "array_contains_any",
    "array-contains",
    "array-contains-any",
}
RANGE = {"<", "<=", ">", ">=", "!=", "not-in", "not_in"}


@dataclass
class Query:
    where: str  # module:function
    collections: set[str] = field(default_factory=set)
    filters: list[tuple[str, str]] = field(default_factory=list)  # (field, operator)
    orders: list[tuple[str, str]] = field(default_factory=list)  # (field, direction)

    @property
    def fields(self) -> set[str]:
        return {f for f, _ in self.filters} | {f for f, _ in self.orders}


def _field(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "document_id"
    ):
        return DOCUMENT_ID
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def queries_in(source: str, where: str) -> list[Query]:
    tree = ast.parse(source)
    constants = _constants(tree)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        query = Query(f"{where}:{function.name}")
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", None)
            )
            if name == "FieldFilter" and len(node.args) >= 2:
                path, op = _field(node.args[0]), node.args[1]
                assert path and isinstance(op, ast.Constant), f"{query.where}: unreadable filter"
                query.filters.append((path, op.value))
            elif name == "where" and len(node.args) >= 2:  # where("field", "op", value)
                path, op = _field(node.args[0]), node.args[1]
                assert path and isinstance(op, ast.Constant), f"{query.where}: unreadable where()"
                query.filters.append((path, op.value))
            elif name == "order_by" and node.args:
                path = _field(node.args[0])
                assert path, f"{query.where}: unreadable order_by()"
                direction = "ASCENDING"
                for keyword in node.keywords:
                    if keyword.arg == "direction":
                        text = ast.unparse(keyword.value).upper()
                        direction = "DESCENDING" if "DESC" in text else "ASCENDING"
                query.orders.append((path, direction))
            elif name in {"collection", "collection_group"} and node.args:
                argument = node.args[0]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    query.collections.add(argument.value)
                elif isinstance(argument, ast.Name) and argument.id in constants:
                    query.collections.add(constants[argument.id])
        if query.filters or query.orders:
            found.append(query)
    return found


def code_queries() -> list[Query]:
    found = []
    for path in sorted(SHARED.rglob("*.py")):
        relative = path.relative_to(SHARED)
        if relative.parts[0] in package_functions.EXCLUDED_FROM_BUNDLES:
            continue
        found += queries_in(path.read_text(encoding="utf-8"), relative.as_posix())
    return found


def composite_indexes() -> dict[str, dict[str, Any]]:
    return plain(locals_()["firestore_composite_indexes"])


def unindexed_fields() -> set[tuple[str, str]]:
    return {
        (f["collection"], f["field"])
        for f in plain(locals_()["firestore_unindexed_fields"]).values()
    }


@dataclass(frozen=True)
class Need:
    kind: str  # "builtin", "single-field" or "composite"
    equalities: tuple[str, ...] = ()  # composite: equality fields, in any order
    tail: tuple[tuple[str, str], ...] = ()  # composite: then these (field, direction), in order


def needs(query: Query) -> Need:
    if not query.fields - {DOCUMENT_ID}:
        return Need("builtin")
    equalities = tuple(sorted({f for f, op in query.filters if op in EQUALITY} - {DOCUMENT_ID}))
    ranges = list(dict.fromkeys(f for f, op in query.filters if op in RANGE and f != DOCUMENT_ID))
    orders = [(f, d) for f, d in query.orders if f != DOCUMENT_ID]
    ordered = [f for f, _ in orders]
    if not ranges and not ordered:
        return Need("single-field")  # equalities alone: Firestore merges single-field indexes
    if not equalities and len(set(ranges) | set(ordered)) == 1:
        return Need("single-field")  # one field, ranged and/or ordered
    tail = tuple(orders) + tuple((f, "ASCENDING") for f in ranges if f not in ordered)
    return Need("composite", equalities, tail)


def served(
    query: Query, composites: dict[str, dict[str, Any]], unindexed: set[tuple[str, str]]
) -> str | None:
    """None if Firestore can run the query with what Terraform declares; else what is missing."""
    need = needs(query)
    if need.kind == "builtin":
        return None
    if len(query.collections) != 1:
        return (
            f"{query.where}: cannot tell which collection it queries ({sorted(query.collections)})"
        )
    (collection,) = query.collections
    if need.kind == "single-field":
        off = sorted(f for f in query.fields if (collection, f) in unindexed)
        if off:
            return f"{query.where}: filters on {off}, whose indexing firestore.tf switches off"
        return None
    count = len(need.equalities)
    for index in composites.values():
        declared = [(str(f["field"]), str(f["order"])) for f in index["fields"]]
        if (
            index["collection"] == collection
            and {f for f, _ in declared[:count]} == set(need.equalities)
            and tuple(declared[count : count + len(need.tail)]) == need.tail
        ):
            return None
    wanted = [(f, "ASCENDING") for f in need.equalities] + list(need.tail)
    return f"{query.where}: needs a composite index on {collection}: {wanted}"


def test_the_code_queries_firestore_and_every_query_is_served() -> None:
    queries = code_queries()
    assert any("licences" in q.collections for q in queries), "the scan found no licence query"
    problems = [p for q in queries if (p := served(q, composite_indexes(), unindexed_fields()))]
    assert not problems, "\n".join(problems)


def test_every_declared_composite_index_serves_a_query() -> None:
    # An index no query uses costs storage and write latency (none is needed today).
    queries = code_queries()
    for name, index in composite_indexes().items():
        alone = {name: index}
        assert any(
            needs(q).kind == "composite" and served(q, alone, set()) is None for q in queries
        ), f"composite index {name} serves no query in the code"


def test_the_checker_catches_a_query_that_needs_a_composite_index() -> None:
    source = textwrap.dedent(
        """
        LOGS = "audit_events"
        def newest(db, licence_id):
            return (db.collection(LOGS).where(filter=FieldFilter("licenceId", "==", licence_id))
                    .order_by("at", direction=firestore.Query.DESCENDING))
        def by_id(db, prefix):
            return db.collection(LOGS).where(
                filter=FieldFilter(FieldPath.document_id(), ">=", prefix))
        def by_message(db, text):
            return db.collection(LOGS).where("message", "==", text)
        """
    )
    newest, by_id, by_message = queries_in(source, "example.py")
    assert needs(newest) == Need("composite", ("licenceId",), (("at", "DESCENDING"),))
    assert served(newest, {}, set()) == (
        "example.py:newest: needs a composite index on audit_events: "
        "[('licenceId', 'ASCENDING'), ('at', 'DESCENDING')]"
    )
    declared = {
        "logs": {
            "collection": "audit_events",
            "fields": [
                {"field": "licenceId", "order": "ASCENDING"},
                {"field": "at", "order": "DESCENDING"},
            ],
        }
    }
    assert served(newest, declared, set()) is None
    assert needs(by_id) == Need("builtin")
    assert served(by_message, {}, {("audit_events", "message")}) == (
        "example.py:by_message: filters on ['message'], whose indexing firestore.tf switches off"
    )
    assert served(by_message, {}, set()) is None


@pytest.mark.parametrize("collection,field_name", sorted(unindexed_fields()))
def test_each_unindexed_field_is_one_the_store_writes(collection: str, field_name: str) -> None:
    # A renamed field would leave a stale override behind and the new name indexed.
    stores = [
        (SHARED / "adapters" / name).read_text()
        for name in ("firestore_store.py", "firestore_holders.py")
    ]
    names = (SHARED / "domain" / "holder_digest.py").read_text()  # HOLDER_DIGESTS
    codec = (SHARED / "adapters" / "firestore_codec.py").read_text()
    store = next((s for s in [*stores, names] if f'"{collection}"' in s), "")
    assert store, f"no store names the collection {collection}"
    assert f'"{field_name}":' in codec or any(f'"{field_name}":' in s for s in stores)


def test_indexes_and_overrides_are_declared_for_the_deployment_database() -> None:
    index = resources("google_firestore_index")["composite"]
    override = resources("google_firestore_field")["unindexed"]
    assert index["for_each"] == "${local.firestore_composite_indexes}"
    assert override["for_each"] == "${local.firestore_unindexed_fields}"
    for resource in (index, override):
        assert resource["database"] == "${google_firestore_database.main.name}"
    # An empty index_config is what switches a field's single-field indexes off.
    assert [
        {k: v for k, v in c.items() if k != "__is_block__"} for c in override["index_config"]
    ] == [{}]
    database = resources("google_firestore_database")["main"]
    assert unquote(database["type"]) == "FIRESTORE_NATIVE"


def test_security_rules_deny_every_client_request() -> None:
    rules = (ROOT / "infra" / "terraform" / "firestore.rules").read_text()
    allows = [line.strip() for line in rules.splitlines() if line.strip().startswith("allow")]
    assert allows == ["allow read, write: if false;"]
    assert "match /{document=**}" in rules
    release = resources("google_firebaserules_release")["firestore"]
    assert "cloud.firestore" in release["name"]
    ruleset = resources("google_firebaserules_ruleset")["firestore"]
    assert 'file("${path.module}/firestore.rules")' in ruleset["source"][0]["files"][0]["content"]


def test_the_scan_finds_the_stores_queries() -> None:
    # Guards code_queries() against silently skipping the store: today's licence queries.
    store = [q for q in code_queries() if q.where.startswith("adapters/firestore_store.py")]
    licence_filters = {f for q in store if q.collections == {"licences"} for f in q.filters}
    assert ("customerDomain", ">=") in licence_filters
    assert ("customerId", "==") in licence_filters
    assert any(q.filters and {f for f, _ in q.filters} == {DOCUMENT_ID} for q in store)
