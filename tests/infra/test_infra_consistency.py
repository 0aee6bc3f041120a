"""infra/terraform against the code: every function deployed with the entry point and trigger its
main.py declares, every environment variable the code reads set where it is needed, every Pub/Sub
route of the local topology deployed with the same subscriber, scheduler jobs that reach real
topics and functions with a body the code accepts, one runtime everywhere."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import tomllib
from pathlib import Path

import pytest
from tools import package_functions

from licence_manager.config import LICENSING_SCOPE, RESELLER_SCOPE, WORKSPACE_SCOPES, Settings
from licence_manager.entrypoints import BadMessage, sync_command
from licence_manager.ops import scheduler
from licence_manager_local import topology
from tests.infra import publishing
from tests.infra.terraform import (
    ROOT,
    function_env,
    labelled,
    locals_,
    plain,
    render,
    resources,
    unquote,
)

FUNCTIONS = package_functions.function_names()
SHARED = ROOT / "src" / "licence_manager"

# Read by the code only to point it at local stand-ins: never set in production.
LOCAL_ONLY = {
    "RESELLER_API_ENDPOINT",
    "LICENCE_MANAGER_LOCAL",
    "SENDGRID_API_HOST",
    "LICENCE_MANAGER_WEB_DIR",  # the api serves web/dist itself only under `make run`
    "AUDIT_HEADS_DIR",  # the audit heads bucket's local stand-in (a directory)
    "FIRESTORE_EMULATOR_HOST",  # set by make run and the tests; transactions back off there
}

# Set by Cloud Run functions itself; a deployment that sets them fails.
RESERVED = {"FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE", "K_SERVICE", "K_REVISION", "PORT"}

COMMON = {"GOOGLE_CLOUD_PROJECT", "FIRESTORE_DATABASE", "DEFAULT_TIME_ZONE"}
RESELLER = {"RESELLER_ADMIN_SUBJECT", "RESELLER_SERVICE_ACCOUNT", "RESELLER_TIMEOUT_SECONDS"}
# Which function needs which setting, apart from the topics it publishes to: those are derived
# from its code (published_variables). A new setting in the code fails
# test_every_setting_the_code_reads_is_placed until it is added here and in locals.tf.
NEEDS = {
    "sync_usage": COMMON
    | RESELLER
    | {"SYNC_CUSTOMER_PREFIXES", "SYNC_MAX_PARALLEL_SHARDS", "SYNC_MAX_EVENT_AGE_SECONDS"}
    | {"SYNC_INTERVAL_SECONDS", "SYNC_SHARD_LEASE_SECONDS"}
    | {"SYNC_NEW_LICENCES_PER_SECOND", "SYNC_NEW_LICENCES_PER_RUN"},
    "evaluate_thresholds": COMMON,
    "apply_topup": COMMON | RESELLER | {"TOPUP_LEASE_SECONDS"},
    "sweep_requests": COMMON | {"TOPUP_LEASE_SECONDS"},
    "send_alerts": COMMON
    | {"SENDGRID_API_KEY", "ALERT_SENDER_EMAIL", "DASHBOARD_URL", "RESELLER_OPS_EMAIL"}
    | {"CHANNEL_SECRET_KEY"},
    "api": COMMON
    | {"DASHBOARD_URL", "FIREBASE_API_KEY", "FIREBASE_AUTH_DOMAIN", "RESELLER_OPS_EMAIL"}
    | {"CHANNEL_SECRET_KEY", "SENDGRID_EVENT_PUBLIC_KEY"},
    # Same delegation settings as the Reseller callers, other scopes (WORKSPACE_SCOPES).
    "sync_holders": COMMON | RESELLER,
    "react_to_reseller_events": COMMON | RESELLER | {"EVENT_RELIST_WINDOW_SECONDS"},
    # The retention-locked bucket its verified heads go to (audit-integrity.tf).
    "verify_audit": COMMON
    | {"AUDIT_HEADS_BUCKET"}
    # ... and deletes departed customers' data on its daily visit (retention.tf).
    | {"DELETE_DEPARTED", "DEPARTED_AFTER_DAYS", "INVOICING_RETENTION_DAYS"},
}


@pytest.fixture(scope="module")
def method_variables() -> dict[str, str]:
    """Publisher method → the environment variable naming its topic (from bootstrap.publisher)."""
    with pytest.MonkeyPatch.context() as patch:
        return publishing.topic_variable_of_method(patch)


def published_variables(name: str, method_variables: dict[str, str]) -> set[str]:
    """The topic variables a function needs: those of every topic its code can publish to."""
    return {method_variables[m] for m in publishing.methods_published(name)}


def topic_key(variable: str) -> str:
    """Terraform's key (local.topics) of the topic a variable names: the route whose unprefixed
    name is the code's default for that variable (the name `make run` uses)."""
    unset, marked = Settings.from_env({}), Settings.from_env({variable: "marked"})
    [default] = [
        getattr(unset, f.name)
        for f in dataclasses.fields(Settings)
        if getattr(marked, f.name) == "marked"
    ]
    [key] = [key for key, r in push_routes().items() if r["route"] == default]
    return key


def _is_environment(node: ast.expr) -> bool:
    """`env`, `environ` or `os.environ`."""
    if isinstance(node, ast.Name):
        return node.id in {"env", "environ"}
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _names(nodes: list[ast.expr]) -> set[str]:
    return {
        n.value
        for n in nodes
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and re.fullmatch(r"[A-Z][A-Z0-9_]{2,}", n.value)
    }


def environment_reads(path: Path) -> set[str]:
    """Names read from the environment in one module: env.get("X"), os.environ["X"],
    os.getenv("X"), and helpers handed the environment, like _number(env, "X", ...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and (
                (func.attr in {"get", "pop", "setdefault"} and _is_environment(func.value))
                or (func.attr == "getenv" and isinstance(func.value, ast.Name))
            ):
                found |= _names(node.args[:1])
            elif any(_is_environment(arg) for arg in node.args):
                found |= _names(node.args)
        elif isinstance(node, ast.Subscript) and _is_environment(node.value):
            found |= _names([node.slice])
    return found


def code_settings() -> set[str]:
    """Every name the deployed code reads (the modules that go into the function zips)."""
    names: set[str] = set()
    for path in SHARED.rglob("*.py"):
        if path.relative_to(SHARED).parts[0] in package_functions.EXCLUDED_FROM_BUNDLES:
            continue
        names |= environment_reads(path)
    for name in FUNCTIONS:
        names |= environment_reads(ROOT / "functions" / name / "main.py")
    return names


def function_defaults() -> dict[str, dict[str, object]]:
    return plain(locals_()["function_defaults"])


def push_routes() -> dict[str, dict[str, str]]:
    return plain(locals_()["push_routes"])


# --- functions, entry points, triggers, runtime -------------------------------------------------


def test_terraform_deploys_exactly_the_function_folders() -> None:
    assert sorted(function_defaults()) == FUNCTIONS
    assert sorted(NEEDS) == FUNCTIONS


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_is_deployed_with_the_entry_point_and_trigger_its_main_declares(
    name: str,
) -> None:
    entry_point, signature = package_functions.entry_point(
        ROOT / "functions" / name / "main.py", name
    )
    assert entry_point == name
    trigger = function_defaults()[name]["trigger"]
    assert (signature == "http") == (trigger == "http"), (
        f"{name}/main.py is a {signature} function but Terraform gives it a {trigger} trigger"
    )
    # Terraform takes the entry point from the manifest the packager wrote from main.py, and
    # refuses to plan when the manifest's signature type and the trigger disagree.
    function = resources("google_cloudfunctions2_function")["function"]
    build = function["build_config"][0]
    assert build["entry_point"] == "${local.bundles[each.key].entry_point}"
    conditions = [p["condition"] for p in function["lifecycle"][0]["precondition"]]
    assert "${local.bundles[each.key].signature_type == each.value.signature_type}" in conditions
    assert 'signature_type = d.trigger == "http" ? "http" : "cloudevent"' in locals_()["functions"]


def test_event_functions_have_exactly_one_kind_of_event_source() -> None:
    pubsub = {n for n, d in function_defaults().items() if d["trigger"] == "pubsub"}
    firestore = {n for n, d in function_defaults().items() if d["trigger"] == "firestore"}
    http = {n for n, d in function_defaults().items() if d["trigger"] == "http"}
    # Pub/Sub too, from a topic that is Google's (reseller-events.tf), not one of ours.
    reseller = {n for n, d in function_defaults().items() if d["trigger"] == "reseller_events"}
    assert pubsub == {r["function"] for r in push_routes().values()}
    assert firestore == {t["function"] for t in plain(locals_()["firestore_triggers"]).values()}
    assert http == {"api"}
    assert reseller == {topology.RESELLER_EVENTS_FUNCTION}
    assert pubsub | firestore | http | reseller == set(FUNCTIONS)
    # No function carries an Eventarc-managed trigger whose subscription we could not configure.
    function = resources("google_cloudfunctions2_function")["function"]
    assert "event_trigger" not in function


def test_the_topup_lease_outlasts_an_apply_attempt() -> None:
    """Issue 10 item 1: no second attempt on a request may start while the first may still be
    inside changeSeats. The function's timeout bounds an attempt; the lease must be longer."""
    variable = labelled("variable")["topup_lease_seconds"]
    lease = variable["default"]
    timeout = int(str(function_defaults()["apply_topup"]["timeout_seconds"]))
    assert (lease, timeout) == (420, 300)
    assert lease > timeout
    assert "outlast the longest apply attempt" in unquote(variable["description"])
    # An override of apply_topup's timeout cannot slip past it: the plan is refused.
    function = resources("google_cloudfunctions2_function")["function"]
    conditions = [p["condition"] for p in function["lifecycle"][0]["precondition"]]
    assert (
        '${each.key != "apply_topup" || var.topup_lease_seconds > each.value.timeout_seconds}'
        in conditions
    )
    # Both the function that claims and the sweeper that re-drives after the lease read it.
    for name in ("apply_topup", "sweep_requests"):
        assert (
            "TOPUP_LEASE_SECONDS = tostring(var.topup_lease_seconds)"
            in (locals_()["function_env"][name])
        ), name
    # Pub/Sub waits for apply_topup's answer longer than it can run, so it never redelivers a
    # message whose attempt is still going; it answers (or is stopped) before that deadline.
    subscription = resources("google_pubsub_subscription")["push"]
    assert subscription["ack_deadline_seconds"] == (
        "${min(600, local.functions[each.value.function].timeout_seconds + 60)}"
    )
    ack_deadline = min(600, timeout + 60)
    assert timeout < ack_deadline < lease
    # A redelivery that meets a dead attempt's claim is refused and retried with exponential
    # backoff from 10 s (Pub/Sub documents the growth, not its factor: doubling is assumed here).
    # The last of the 5 deliveries then comes after the lease has run out, so Pub/Sub itself
    # usually re-drives an attempt that died at its timeout; the sweeper covers the rest.
    minimum = int(unquote(locals_()["retry_minimum_backoff"]).rstrip("s"))
    attempts = locals_()["max_delivery_attempts"]
    last_delivery = timeout + sum(minimum * 2**i for i in range(attempts - 1))
    assert last_delivery > lease


def test_runtime_is_the_python_we_test_on() -> None:
    tested = f"python{sys.version_info.major}{sys.version_info.minor}"
    assert unquote(locals_()["runtime"]) == tested
    assert tested == package_functions.RUNTIME
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    major, minor = sys.version_info[:2]
    assert pyproject["project"]["requires-python"] == f">={major}.{minor},<{major}.{minor + 1}"
    function = resources("google_cloudfunctions2_function")["function"]
    assert function["build_config"][0]["runtime"] == "${local.runtime}"


def test_sync_usage_runs_alone() -> None:
    sync = function_defaults()["sync_usage"]
    assert sync["max_instances"] == 1
    assert sync["concurrency"] == 1
    validations = labelled("variable")["function_overrides"]["validation"]
    assert any("sync_usage" in v["condition"] for v in validations)


def test_event_functions_answer_within_the_push_deadline() -> None:
    # Pub/Sub push and Eventarc wait at most 600 s; a longer run is redelivered while it runs.
    for name, defaults in function_defaults().items():
        if defaults["trigger"] != "http":
            assert int(str(defaults["timeout_seconds"])) <= 540, name


def test_concurrent_requests_only_with_a_whole_cpu() -> None:
    for name, defaults in function_defaults().items():
        if int(str(defaults["concurrency"])) > 1:
            assert float(str(defaults["cpu"])) >= 1, name


def test_make_run_serves_each_event_function_as_many_at_once_as_cloud_run_may() -> None:
    # A burst of licences crossing in one sync is evaluated side by side in production (up to
    # max_instances x concurrency); make run must not queue it in one thread where it would not.
    from licence_manager_local import run

    for name in run.EVENT_FUNCTIONS:
        defaults = function_defaults()[name]
        at_once = int(str(defaults["max_instances"])) * int(str(defaults["concurrency"]))
        assert run.PARALLEL_REQUESTS.get(name, 1) == at_once, name


def test_make_run_waits_on_an_evaluation_as_long_as_eventarc_would() -> None:
    from licence_manager_local import run

    timeout = int(str(function_defaults()["evaluate_thresholds"]["timeout_seconds"]))
    assert timeout == run.EVALUATE_TIMEOUT_SECONDS


# --- environment --------------------------------------------------------------------------------


def test_the_settings_scan_sees_what_config_reads() -> None:
    # Guards the scan itself: these are read in config.py in three different ways.
    assert {"GOOGLE_CLOUD_PROJECT", "RESELLER_TIMEOUT_SECONDS", "SYNC_CUSTOMER_PREFIXES"} <= (
        code_settings()
    )


def test_every_setting_the_code_reads_is_placed(method_variables: dict[str, str]) -> None:
    # RESERVED: Cloud Run sets them itself (the code reads them to know it runs there).
    placed = set().union(*NEEDS.values()) | LOCAL_ONLY | RESERVED | set(method_variables.values())
    unplaced = code_settings() - placed
    assert not unplaced, (
        f"the code reads {sorted(unplaced)}: decide which functions need each, set it in "
        "infra/terraform/locals.tf function_env and add it to NEEDS here"
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_terraform_sets_what_each_function_needs_and_nothing_local(
    name: str, method_variables: dict[str, str]
) -> None:
    deployed = function_env()[name]
    assert deployed == NEEDS[name] | published_variables(name, method_variables)
    assert not deployed & LOCAL_ONLY
    assert not deployed & RESERVED
    assert not [n for n in deployed if n.startswith("X_GOOGLE_")]


def test_terraform_sets_nothing_the_code_does_not_read() -> None:
    stale = set().union(*function_env().values()) - code_settings()
    assert not stale, f"Terraform sets {sorted(stale)} but no code reads them"


def test_the_sendgrid_key_is_a_secret_only_send_alerts_can_read() -> None:
    channel_key = "${google_secret_manager_secret.channel_secret_key.secret_id}"
    assert plain(locals_()["function_secrets"]) == {
        "send_alerts": {
            "SENDGRID_API_KEY": "${google_secret_manager_secret.sendgrid_api_key.secret_id}",
            "CHANNEL_SECRET_KEY": channel_key,
        },
        "api": {"CHANNEL_SECRET_KEY": channel_key},
    }
    readers = resources("google_secret_manager_secret_iam_member")
    assert readers["send_alerts_reads_sendgrid_key"]["member"] == (
        '"serviceAccount:${google_service_account.function["send_alerts"].email}"'
    )
    # The channel key (channels.tf): the two functions that seal and open channel URLs.
    assert readers["reads_channel_key"]["for_each"] == '${toset(["send_alerts", "api"])}'
    assert set(readers) == {"send_alerts_reads_sendgrid_key", "reads_channel_key"}


def test_only_the_functions_that_call_google_apis_can_sign_as_themselves() -> None:
    # The functions whose requirements bring google-api-python-client call the Reseller API
    # (apps.order) or, the holder sync alone, the Licensing, Directory and Reports APIs.
    callers = {
        name
        for name in FUNCTIONS
        if "google-api-python-client"
        in (ROOT / "functions" / name / "requirements.txt").read_text()
    }
    assert callers == {"sync_usage", "apply_topup", "sync_holders", "react_to_reseller_events"}

    def listed(local: str) -> set[str]:
        found = re.search(r"for name in \[([^\]]*)\]", locals_()[local])
        assert found is not None
        return set(re.findall(r'"(\w+)"', found.group(1)))

    assert listed("reseller_env") == {"sync_usage", "apply_topup", "react_to_reseller_events"}
    # apps.licensing has no read-only variant: only the holder sync is given it with the
    # Admin API scopes, and apply_topup beside its apps.order, for unassigns.
    assert listed("workspace_env") == {"sync_holders"}
    assert [unquote(s) for s in locals_()["workspace_scopes"]] == list(WORKSPACE_SCOPES)
    assert [unquote(s) for s in locals_()["unassign_scopes"]] == [RESELLER_SCOPE, LICENSING_SCOPE]
    signer = resources("google_service_account_iam_member")["reseller_self_signer"]
    assert signer["for_each"] == "${merge(local.reseller_env, local.workspace_env)}"
    assert unquote(signer["role"]) == "roles/iam.serviceAccountTokenCreator"
    # Signs as itself: the granted account and the member are the same function's.
    assert signer["service_account_id"] == "${google_service_account.function[each.key].name}"
    assert signer["member"] == '"serviceAccount:${google_service_account.function[each.key].email}"'


# --- Pub/Sub ------------------------------------------------------------------------------------


def test_every_local_route_is_deployed_with_the_same_subscriber() -> None:
    deployed = {r["route"]: r["function"] for r in push_routes().values()}
    for route in topology.ROUTES:
        assert deployed.get(route.topic) == route.function, route
    # and nothing more: `make run` delivers every topic the way production does.
    assert set(deployed) == {r.topic for r in topology.ROUTES}


def test_push_routes_are_named_and_bounded_like_the_local_topology() -> None:
    routes = push_routes()
    topics = plain(locals_()["topics"])
    values = {"var.prefix": "lm"}
    for key, route in routes.items():
        # Terraform's topic is the topology's name with the deployment prefix.
        assert render(topics[key], values) == f"lm-{route['route']}"
        assert route["topic"] == f"${{local.topics.{key}}}"
    subscription = resources("google_pubsub_subscription")["push"]
    assert unquote(subscription["name"]) == "${each.value.topic}-to-${each.value.function}"
    sample = topology.PushRoute("T", "F")
    assert sample.subscription == "T-to-F"
    assert sample.dead_letter_topic == "T-dead-letter"
    assert sample.dead_letter_subscription == "T-dead-letter-inspect"
    dead_letter = resources("google_pubsub_topic")["dead_letter"]
    assert unquote(dead_letter["name"]) == "${each.value.topic}-dead-letter"
    inspect = resources("google_pubsub_subscription")["dead_letter_inspect"]
    assert unquote(inspect["name"]) == "${each.value.topic}-dead-letter-inspect"
    policy = subscription["dead_letter_policy"][0]
    assert policy["max_delivery_attempts"] == "${local.max_delivery_attempts}"
    assert locals_()["max_delivery_attempts"] == topology.MAX_DELIVERY_ATTEMPTS
    assert subscription["retry_policy"][0] == {
        "minimum_backoff": "${local.retry_minimum_backoff}",
        "maximum_backoff": "${local.retry_maximum_backoff}",
        "__is_block__": True,
    }
    assert (
        unquote(locals_()["retry_minimum_backoff"]),
        unquote(locals_()["retry_maximum_backoff"]),
    ) == (
        "10s",
        "600s",
    )
    assert subscription["expiration_policy"][0]["ttl"] == '""'


def test_the_reseller_events_route_is_deployed_like_the_local_one() -> None:
    """Google's topic (a variable), our subscription, dead-letter topic and inspect subscription
    named as topology.RESELLER_EVENTS names them locally, with the push routes' policies."""
    route = topology.RESELLER_EVENTS
    # Only with a topic set: `var.reseller_events_topic == null ? {} : {reseller_events = ...}`.
    declared = locals_()["reseller_events"]
    assert declared.startswith("${var.reseller_events_topic == null ? {} : {reseller_events =")
    assert f'function = "{route.function}"' in declared
    assert f'topic = "${{var.prefix}}-{route.topic}"' in declared
    subscription = resources("google_pubsub_subscription")["reseller_events"]
    assert subscription["topic"] == "${var.reseller_events_topic}"
    assert unquote(subscription["name"]) == "${each.value.topic}-to-${each.value.function}"
    push = resources("google_pubsub_subscription")["push"]
    for block in ("retry_policy", "expiration_policy"):
        assert subscription[block] == push[block], block
    policy = subscription["dead_letter_policy"][0]
    assert policy["max_delivery_attempts"] == "${local.max_delivery_attempts}"
    assert "reseller_events_dead_letter" in policy["dead_letter_topic"]
    dead_letter = resources("google_pubsub_topic")["reseller_events_dead_letter"]
    assert unquote(dead_letter["name"]) == "${each.value.topic}-dead-letter"
    inspect = resources("google_pubsub_subscription")["reseller_events_dead_letter_inspect"]
    assert unquote(inspect["name"]) == "${each.value.topic}-dead-letter-inspect"
    endpoint = subscription["push_config"][0]["push_endpoint"]
    assert endpoint.endswith('/${var.reseller_events_topic}"')
    # Dead-lettering needs the Pub/Sub service agent on both ends.
    assert resources("google_pubsub_topic_iam_member")["reseller_events_dead_letter_publisher"]
    assert resources("google_pubsub_subscription_iam_member")[
        "reseller_events_dead_letter_subscriber"
    ]


def test_push_endpoints_carry_the_topic_path_functions_framework_reads() -> None:
    endpoint = resources("google_pubsub_subscription")["push"]["push_config"][0]["push_endpoint"]
    uri = "${google_cloudfunctions2_function.function[each.value.function].service_config[0].uri}"
    assert endpoint == f'"{uri}/projects/${{var.project_id}}/topics/${{each.value.topic}}"'
    assert topology.push_endpoint("https://f", "P", "T") == "https://f/projects/P/topics/T"


def test_the_publish_scan_follows_entry_points_to_what_the_services_call(
    method_variables: dict[str, str],
) -> None:
    # Guards the scan itself with what the code plainly does: evaluation publishes top-up
    # requests and alerts, the sync publishes nothing, and each Publisher method has a topic
    # variable of its own.
    assert publishing.methods_published("evaluate_thresholds") == {
        "publish_top_up",
        "publish_notification",
    }
    # send_alerts runs the month-end job: its planner publishes a page on and each customer.
    assert publishing.methods_published("send_alerts") == {
        "publish_notification",
        "publish_month_end_customers",
        "publish_month_end_page",
    }
    assert publishing.methods_published("sync_usage") == set()
    assert publishing.methods_published("sync_holders") == {
        "publish_holder_sync_customers",
        "publish_holder_sync_page",
        "publish_notification",  # renewal reminders
    }
    assert "evaluate_licence" in publishing.reached_builders("apply_topup")
    assert set(method_variables) == set(publishing.publisher_methods())
    assert len(set(method_variables.values())) == len(method_variables)
    assert {topic_key(v) for v in method_variables.values()} == {
        "topup_requests",
        "alerts",
        "month_end_report",
        "month_end_customer",
        "sync_holders",
        "sync_holders_customer",
        "verify_audit",
        "verify_audit_customer",
    }


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_is_told_every_topic_its_code_publishes_to(
    name: str, method_variables: dict[str, str]
) -> None:
    """Finding 5: apply_topup re-evaluates a superseded licence, which publishes a top-up
    request, yet was told no top-up topic (and would publish to the unprefixed default)."""
    expression = locals_()["function_env"][name]
    told = dict(re.findall(r"([A-Z_]+_TOPIC) = local\.topics\.(\w+)", expression))
    needed = {v: topic_key(v) for v in published_variables(name, method_variables)}
    assert told == needed, (
        f"{name}'s code publishes to {sorted(needed)}; Terraform tells it {sorted(told)}"
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_may_publish_exactly_where_its_code_publishes(
    name: str, method_variables: dict[str, str]
) -> None:
    publishers = plain(locals_()["publishers"])
    granted = {p["topic"] for p in publishers.values() if p["function"] == name}
    needed = {topic_key(v) for v in published_variables(name, method_variables)}
    assert granted == needed, (
        f"{name} may publish to {sorted(granted)}; its code publishes to {sorted(needed)}"
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_whose_code_publishes_bring_the_pubsub_client(name: str) -> None:
    # bootstrap.publisher imports google.cloud.pubsub_v1: without it in the function's own
    # requirements, the first publish fails with an ImportError in production only.
    requirements = (ROOT / "functions" / name / "requirements.txt").read_text()
    pinned = {line.split("==")[0] for line in requirements.splitlines() if "==" in line}
    if publishing.methods_published(name):
        assert "google-cloud-pubsub" in pinned, f"{name} publishes but cannot import Pub/Sub"


def test_topics_the_code_is_told_to_publish_to_have_subscribers() -> None:
    routes = push_routes()
    for name, expression in locals_()["function_env"].items():
        for variable, topic in re.findall(r"([A-Z_]+_TOPIC) = local\.topics\.(\w+)", expression):
            assert topic in routes, f"{name}: {variable} names {topic}, which nobody consumes"
    publishers = plain(locals_()["publishers"])
    granted = {(p["function"], p["topic"]) for p in publishers.values()}
    told = {
        (name, topic)
        for name, expression in locals_()["function_env"].items()
        for topic in re.findall(r"_TOPIC = local\.topics\.(\w+)", expression)
    }
    assert granted == told, "publish rights must match the topics each function is told about"


# --- Firestore triggers -------------------------------------------------------------------------


def test_licence_and_settings_changes_reach_evaluate_thresholds_as_protobuf() -> None:
    assert plain(locals_()["firestore_triggers"]) == {
        "licences": {"collection": "licences", "function": "evaluate_thresholds"},
        "licence_settings": {"collection": "licence_settings", "function": "evaluate_thresholds"},
    }
    # The same collections the local Eventarc stand-in watches for `make run`.
    assert tuple(plain(locals_()["firestore_triggers"])) == topology.WATCHED_COLLECTIONS
    trigger = resources("google_eventarc_trigger")["firestore"]
    criteria = {unquote(c["attribute"]): c for c in trigger["matching_criteria"]}
    assert unquote(criteria["type"]["value"]) == "google.cloud.firestore.document.v1.written"
    assert unquote(criteria["document"]["value"]) == "${each.value.collection}/{licenceId}"
    assert unquote(criteria["document"]["operator"]) == "match-path-pattern"
    assert unquote(trigger["event_data_content_type"]) == "application/protobuf"
    # A Firestore trigger lives in the database's location.
    assert trigger["location"] == "${var.firestore.location}"
    assert "retry_policy" not in trigger  # retry: max_attempts = 1 is the only other choice


# --- Cloud Scheduler ----------------------------------------------------------------------------


def test_scheduler_jobs_reach_real_topics_and_the_sync_function() -> None:
    jobs = plain(locals_()["scheduler_jobs"])
    topics = plain(locals_()["topics"])
    for job in jobs.values():
        assert job["topic"] in topics
    sync = jobs[scheduler.SYNC_JOB]
    assert push_routes()[sync["topic"]]["function"] == "sync_usage"
    # The body the job publishes is one sync_usage accepts: all configured shards.
    command = sync_command(sync["body"], (None,))
    assert (command.shards, command.verify) == ((None,), False)
    # The daily verifying run: the same function, every shard, every stored licence read.
    verify = jobs[scheduler.VERIFY_JOB]
    assert verify["topic"] == sync["topic"]
    assert sync_command(verify["body"], (None,)).verify is True
    with pytest.raises(BadMessage, match="verify"):
        sync_command({"verify": "yes"}, (None,))
    sweep = jobs[scheduler.SWEEP_JOB]
    assert push_routes()[sweep["topic"]]["function"] == "sweep_requests"
    assert sweep["body"] == {"job": "sweep-requests"}
    assert sweep["schedule"] == "*/${local.sweep_interval_minutes} * * * *"
    assert locals_()["sweep_interval_minutes"] == 5
    holders = jobs[scheduler.HOLDER_SYNC_JOB]
    assert push_routes()[holders["topic"]]["function"] == "sync_holders"
    assert holders["body"] == {"job": "sync-holders"}
    assert jobs[scheduler.MONTH_END_JOB]["schedule"] == "${var.month_end_report.schedule}"
    month_end = labelled("variable")["month_end_report"]["type"]
    assert 'optional(string, "0 12 1 * *")' in month_end


def test_the_ops_cli_names_the_jobs_terraform_creates() -> None:
    jobs = plain(locals_()["scheduler_jobs"])
    assert tuple(jobs) == scheduler.JOBS
    job = resources("google_cloud_scheduler_job")["job"]
    deployment = scheduler.Deployment(project="p", region="europe-west2", prefix="xy")
    for key in jobs:
        name = render(job["name"], {"var.prefix": "xy", "each.key": key})
        assert name == deployment.job_id(key)
    assert job["region"] == "${var.region}"
    assert unquote(labelled("variable")["prefix"]["default"]) == scheduler.DEFAULT_PREFIX
    # An apply during an emergency must not resume what ops paused.
    assert job["lifecycle"][0]["ignore_changes"] == ["paused"]
