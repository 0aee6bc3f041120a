"""Each log-based metric's filter (infra/terraform/monitoring-metrics.tf) against the log lines the
code really writes: the services run on their fakes (the Reseller adapter on the simulator),
their JSON lines are captured as the functions print them (tests/infra/log_capture.py), and the
filter is evaluated on them (tests/infra/logging_query.py, the subset of the Cloud Logging query
language the filters use). Which lines a metric is made for is said by the lines' messages and
scenarios, not by the fields the filter reads: a renamed field or event fails here, not in
production where an alert would simply never fire."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.infra.log_capture import PREFIX, Capture, Line, capture_all
from tests.infra.logging_query import (
    QueryOutsideSubset,
    compile_filter,
    extract,
    extractor_path,
)
from tests.infra.terraform import locals_, plain, resources, unquote

METRICS = resources("google_logging_metric")

Made = Callable[[Line], bool]


def message(*texts: str) -> Made:
    return lambda line: line.payload["message"] in texts


def in_scenario(name: str, made: Made) -> Made:
    return lambda line: line.scenario == name and made(line)


SYNC_SUMMARY = message("usage sync finished")
# Which lines each metric is made for, by what the line says (and, for the reaction time, the
# scenario that made an automatic top-up).
MADE_FOR: dict[str, Made] = {
    "sync_runs": SYNC_SUMMARY,
    "sync_duration": SYNC_SUMMARY,
    "sync_api_calls": SYNC_SUMMARY,
    "sync_licences_written": SYNC_SUMMARY,
    "topup_outcomes": message(
        "top-up request finished",
        "automatic top-up blocked",
        "top-up request given up",
        "top-up unconfirmed",
    ),
    "topup_reaction_time": in_scenario("applied", message("top-up request finished")),
    "notification_outcomes": message(
        "notification delivered", "notification not delivered", "email may not have been delivered"
    ),
    "reseller_api_errors": message("retrying Reseller API call", "Reseller API call failed"),
    "firestore_contention_retries": message("Firestore transaction retried after contention"),
    "sweeper_actions": lambda line: line.payload["message"].startswith("sweeper "),
    "audit_chains_broken": in_scenario("audit", message("audit chain broken")),
    "audit_checks": message("audit check customer"),
    "departed_customer_data": message(
        "departed customer due for deletion (dry run)", "customer data deleted"
    ),
}

# Label values the scenarios must produce: what the alerts and the runbook rely on.
PRODUCED = {
    ("sync_runs", "outcome"): {"OK", "INCOMPLETE"},
    ("topup_outcomes", "outcome"): {"APPLIED", "FAILED", "BLOCKED", "UNCONFIRMED"},
    ("topup_outcomes", "source"): {"automatic", "manual"},
    ("topup_outcomes", "function"): {"apply_topup", "evaluate_thresholds", "sweep_requests"},
    ("notification_outcomes", "outcome"): {"SENT", "FAILED", "UNCONFIRMED"},
    ("reseller_api_errors", "http_status"): {"403", "503"},
    ("reseller_api_errors", "will_retry"): {"true", "false"},
    ("firestore_contention_retries", "function"): {"evaluate_thresholds"},
    ("sweeper_actions", "action"): {"republished", "gave_up", "alerted"},
    ("audit_checks", "outcome"): {"OK", "BROKEN"},
    ("audit_chains_broken", "customer_id"): {"C0audit01"},
    ("departed_customer_data", "event"): {"customer_data_due", "customer_data_deleted"},
}


@functools.cache
def captured() -> Capture:
    return capture_all()


def lines() -> list[Line]:
    return captured().lines


def function_lines() -> list[Line]:
    """Lines written while running as a function (a scenario's set-up runs outside one)."""
    return [line for line in lines() if line.payload.get("function")]


def log_scope(prefix: str) -> str:
    """local.log_scope for `prefix`: the deployment's Cloud Run services, built as the
    Terraform expression builds it (test_the_scope_is_built_from_the_deployed_functions)."""
    services = [
        f'resource.labels.service_name="{prefix}-{name.replace("_", "-")}"'
        for name in plain(locals_()["function_defaults"])
    ]
    return f'resource.type="cloud_run_revision" AND ({" OR ".join(services)})'


def hcl_text(value: Any) -> str:
    """A parsed HCL string literal as Terraform reads it: quotes off, \\" escapes resolved."""
    return re.sub(r"\\(.)", r"\1", unquote(value))


def metric_filter(name: str, prefix: str = PREFIX) -> str:
    text = hcl_text(METRICS[name]["filter"])
    return text.replace("${local.log_scope}", log_scope(prefix))


def label_extractors(name: str) -> dict[str, str]:
    return {k: hcl_text(v) for k, v in plain(METRICS[name].get("label_extractors", {})).items()}


def matched(name: str) -> list[Line]:
    predicate = compile_filter(metric_filter(name))
    return [line for line in lines() if predicate(line.entry())]


def label_values(name: str, label: str) -> set[str]:
    expression = label_extractors(name)[label]
    values = set()
    for line in matched(name):
        present, value = extract(line.entry(), expression)
        if present:
            values.add(str(value).lower() if isinstance(value, bool) else str(value))
    return values


# --- the evaluator itself -----------------------------------------------------------------------

ENTRY = {
    "resource": {"type": "cloud_run_revision", "labels": {"service_name": "lm-apply-topup"}},
    "severity": "INFO",
    "jsonPayload": {"event": "topup.outcome", "outcome": "APPLIED", "httpStatus": 503, "ok": True},
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('jsonPayload.event="topup.outcome"', True),
        ('jsonPayload.event="topup"', False),
        ('jsonPayload.event:"TOPUP"', True),  # has: a case-insensitive substring
        ('jsonPayload.outcome!="APPLIED"', False),
        ('jsonPayload.missing!="x"', True),  # != is NOT =: an entry without the field matches
        ('jsonPayload.missing="x"', False),
        ("jsonPayload.httpStatus=503", True),
        ("jsonPayload.httpStatus>=500 AND jsonPayload.httpStatus<600", True),
        ("jsonPayload.httpStatus>503", False),
        ('jsonPayload.ok="true"', True),
        ('NOT jsonPayload.outcome="FAILED"', True),
        ('jsonPayload.outcome="FAILED" OR (severity="INFO" AND NOT jsonPayload.ok="false")', True),
        ('resource.labels.service_name="lm-apply-topup" AND jsonPayload.outcome="FAILED"', False),
        ('jsonPayload.event="say \\"hi\\""', False),
    ],
)
def test_the_evaluator_reads_the_subset(query: str, expected: bool) -> None:
    assert compile_filter(query)(ENTRY) is expected


@pytest.mark.parametrize(
    "query",
    [
        'jsonPayload.event="a" jsonPayload.outcome="b"',  # implicit AND
        'jsonPayload.event=~"topup.*"',  # regular expressions
        "topup",  # global search
        'jsonPayload.event="a" AND',
        '(jsonPayload.event="a"',
        'timestamp>="2026-01-01" AND -jsonPayload.event="a"',
        'labels."run.googleapis.com/x"="y"',
        "",
    ],
)
def test_the_evaluator_refuses_what_it_does_not_implement(query: str) -> None:
    with pytest.raises(QueryOutsideSubset):
        compile_filter(query)


# --- the filters against the lines the code writes --------------------------------------------


def test_every_metric_has_a_line_it_is_made_for() -> None:
    assert set(MADE_FOR) == set(METRICS), "a metric without lines it is made for, or vice versa"


@pytest.mark.parametrize("name", sorted(METRICS))
def test_each_filter_matches_exactly_the_lines_it_was_made_for(name: str) -> None:
    wanted = [line for line in function_lines() if MADE_FOR[name](line)]
    assert wanted, f"no scenario wrote a line {name} is made for"
    got = matched(name)
    missed = [line.text for line in wanted if line not in got]
    extra = [line.text for line in got if line not in wanted]
    assert not missed, f"{name} misses lines it was made for: {missed}"
    assert not extra, f"{name} counts lines it was not made for: {extra}"


@pytest.mark.parametrize("name", sorted(METRICS))
def test_labels_and_values_come_from_fields_the_matched_lines_carry(name: str) -> None:
    body = METRICS[name]
    descriptor = plain(body["metric_descriptor"][0])
    declared = {label["key"] for label in descriptor.get("labels", [])}
    extractors = label_extractors(name)
    assert set(extractors) == declared
    for line in matched(name):
        for label, expression in extractors.items():
            present, value = extract(line.entry(), expression)
            assert present, f"{name}.{label}: {extractor_path(expression)} absent in {line.text}"
            assert isinstance(value, (str, int, bool)), (name, label, value)
    if descriptor["value_type"] == "DISTRIBUTION":
        expression = hcl_text(body["value_extractor"])
        for line in matched(name):
            present, value = extract(line.entry(), expression)
            assert present and isinstance(value, (int, float)), (name, line.text)
            assert value >= 0, (name, line.text)
    else:
        assert "value_extractor" not in body, f"{name} counts entries: no value extractor"


@pytest.mark.parametrize(("metric", "label"), sorted(PRODUCED))
def test_the_scenarios_produce_the_label_values_alerts_rely_on(metric: str, label: str) -> None:
    assert PRODUCED[(metric, label)] <= label_values(metric, label)


def test_the_reaction_time_runs_from_the_sync_to_the_seats_changed() -> None:
    [line] = matched("topup_reaction_time")
    # Each delivery comes 20 s after the one before (log_capture): never zero.
    expected = captured().facts["reaction_seconds"]
    assert expected >= 40
    assert line.payload["reactionSeconds"] == pytest.approx(expected)


def test_a_customer_failure_still_counts_as_a_complete_sync() -> None:
    outcomes = {line.payload["outcome"] for line in matched("sync_runs")}
    assert outcomes == {"OK", "INCOMPLETE"}
    incomplete = [line for line in matched("sync_runs") if line.scenario == "incomplete"]
    assert [line.payload["outcome"] for line in incomplete] == ["INCOMPLETE"]


def test_other_deployments_and_local_runs_are_not_counted() -> None:
    for name in METRICS:
        predicate = compile_filter(metric_filter(name))
        for line in matched(name):
            assert not predicate(line.entry(prefix="lm2")), name
            entry = line.entry()
            entry["resource"]["type"] = "gce_instance"
            assert not predicate(entry), name


def test_the_scope_is_built_from_the_deployed_functions() -> None:
    expression = locals_()["log_scope"]
    assert "for f in values(local.functions)" in expression
    assert "resource.labels.service_name" in expression and "f.service_name" in expression
    assert 'resource.type=\\"cloud_run_revision\\"' in expression
    service_name = plain(locals_()["functions"])
    assert '${var.prefix}-${replace(name, "_", "-")}' in str(service_name)


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
TOKEN = re.compile(r"\b(SG\.[\w-]{10,}|xox[a-z]-[\w-]{10,}|ya29\.[\w-]+|Bearer\s+\S+)")


def test_no_line_carries_an_email_address_or_a_token() -> None:
    assert len(lines()) > 20
    for line in lines():
        assert not EMAIL.search(line.text), line.text
        assert not TOKEN.search(line.text), line.text


def test_every_line_names_the_function_that_wrote_it() -> None:
    functions = {line.payload["function"] for line in function_lines()}
    assert functions == {
        "sync_usage",
        "evaluate_thresholds",
        "apply_topup",
        "send_alerts",
        "sweep_requests",
        "verify_audit",
    }


def test_a_tampered_chain_is_counted_once_and_its_check_still_completes() -> None:
    # The audit scenario changes one entry appended after the first day's check: the next
    # day's check logs that chain broken once, and the customer's check completes BROKEN (so
    # the absence alert stays quiet while the broken-chain alert fires).
    [broken] = matched("audit_chains_broken")
    assert broken.entry()["severity"] == "ERROR"
    assert broken.payload["problems"] == ["entry 7: content does not match its hash"]
    checks = [
        (line.payload["customerId"], line.payload["outcome"])
        for line in matched("audit_checks")
        if line.payload["customerId"] == "C0audit01"
    ]
    assert checks == [("C0audit01", "OK"), ("C0audit01", "BROKEN")]
