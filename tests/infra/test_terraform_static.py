"""Static checks of infra/terraform that need no provider: it parses, it is formatted, every input
and output is described, inputs that can be wrong are validated, names come from the prefix, the
example settings are valid, and every checkov suppression says why."""

from __future__ import annotations

import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import hcl2
import pytest

from tests.infra.terraform import (
    TF_DIR,
    all_resources,
    labelled,
    locals_,
    parsed,
    plain,
    tf_files,
    unquote,
)

CONCERNS = {
    "versions.tf", "variables.tf", "outputs.tf", "locals.tf", "apis.tf", "service-accounts.tf",
    "functions.tf", "bundle.tf", "pubsub.tf", "eventarc.tf", "firestore.tf", "scheduler.tf",
    "secrets.tf", "hosting.tf", "monitoring-metrics.tf", "monitoring-alerts.tf",
    "monitoring-dashboard.tf", "reseller-events.tf", "channels.tf",
    "audit-integrity.tf", "backups.tf",
    "retention.tf",
}  # fmt: skip
VALIDATED = {
    "project_id", "region", "prefix", "labels", "firestore", "reseller", "sync",
    "default_time_zone", "month_end_report", "alerts", "function_overrides", "hosting",
    "google_sign_in_client_id", "topup_lease_seconds", "reseller_ops_email",
    "alert_channels", "alert_channel_secrets", "alert_thresholds", "runbook_url",
    "reseller_events_topic", "event_relist_window_seconds", "sendgrid_event_public_key",
    "audit_integrity", "backups", "exporters", "retention",
}  # fmt: skip


def test_every_tf_file_parses_and_the_configuration_is_split_by_concern() -> None:
    documents = parsed()
    assert set(documents) == CONCERNS
    assert all(documents.values()), "an empty .tf file"
    for name in (
        "firestore.rules",
        "README.md",
        "terraform.tfvars.example",
        "monitoring-dashboard.json",
    ):
        assert (TF_DIR / name).is_file(), name


@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary on this machine")
def test_terraform_fmt_finds_nothing_to_change() -> None:
    # `terraform fmt` needs no provider: it parses every file with Terraform's own HCL parser.
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-diff", "-recursive", str(TF_DIR)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_variable_has_a_description_and_a_type() -> None:
    for name, body in labelled("variable").items():
        assert len(unquote(body.get("description", ""))) > 20, name
        assert "type" in body, name


def test_inputs_that_can_be_wrong_are_validated() -> None:
    variables = labelled("variable")
    for name in VALIDATED:
        assert variables[name].get("validation"), name
        for rule in variables[name]["validation"]:
            assert unquote(rule["error_message"]).endswith("."), name
    assert set(variables) - VALIDATED <= {"bundle_dir", "google_sign_in_client_secret"}


def test_structured_inputs_are_typed_objects_with_optional_defaults() -> None:
    variables = labelled("variable")
    for name in ("firestore", "sync", "month_end_report", "hosting"):
        assert variables[name]["type"].startswith("${object({"), name
        assert "optional(" in variables[name]["type"], name
        assert variables[name]["default"] == {}, name
    assert "map(object({" in variables["function_overrides"]["type"]
    assert variables["google_sign_in_client_secret"]["sensitive"] is True


def test_every_output_has_a_description() -> None:
    outputs = labelled("output")
    for name, body in outputs.items():
        assert len(unquote(body.get("description", ""))) > 20, name
    assert {"dashboard_url", "function_uris", "service_accounts", "topics"} <= set(outputs)


def test_names_come_from_the_prefix_not_random_suffixes() -> None:
    types = {t for t, _, _ in all_resources()}
    assert not {t for t in types if t.startswith("random_")}
    required = plain(parsed()["versions.tf"]["terraform"][0]["required_providers"][0])
    assert set(required) == {"google", "google-beta"}
    named = {
        (t, n): unquote(body.get("name") or body.get("account_id") or body.get("secret_id")
                        or body.get("repository_id") or "")
        for t, n, body in all_resources()
    }  # fmt: skip
    for key in [
        ("google_service_account", "function"),
        ("google_service_account", "invoker"),
        ("google_service_account", "build"),
        ("google_secret_manager_secret", "sendgrid_api_key"),
        ("google_cloud_scheduler_job", "job"),
        ("google_artifact_registry_repository", "functions"),
        ("google_eventarc_trigger", "firestore"),
        ("google_pubsub_topic", "firestore_dead_letter"),
    ]:
        assert named[key].startswith("${var.prefix}-"), key
    assert "${var.prefix}" in named[("google_storage_bucket", "sources")]


def test_service_account_ids_fit_for_the_longest_prefix() -> None:
    # account_id is 6-30 characters; the prefix validation allows 2-12.
    defaults = plain(labelled("variable")["prefix"])
    assert "{0,10}" in defaults["validation"][0]["condition"]
    shorts = [d["short"] for d in plain(locals_()["function_defaults"]).values()]
    for suffix in [*shorts, *(f"{s}-inv" for s in shorts), "build"]:
        assert len(f"ab-{suffix}") >= 6 and len(f"{'a' * 12}-{suffix}") <= 30, suffix


def test_every_checkov_suppression_gives_its_reason() -> None:
    skips = [
        line.strip()
        for path in tf_files()
        for line in path.read_text().splitlines()
        if "checkov:skip" in line
    ]
    assert skips
    for skip in skips:
        match = re.fullmatch(r"#checkov:skip=(CKV_GCP_\d+):(.{30,})", skip)
        assert match, skip


def test_the_example_settings_are_complete_and_valid() -> None:
    with (TF_DIR / "terraform.tfvars.example").open() as handle:
        example = plain(hcl2.load(handle))
    variables = labelled("variable")
    assert set(example) <= set(variables)
    required = {name for name, body in variables.items() if "default" not in body}
    assert required <= set(example)
    assert example["sync"]["interval_minutes"] in {1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30}
    for zone in (example["default_time_zone"], example["month_end_report"]["time_zone"]):
        ZoneInfo(zone)
    assert re.fullmatch(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", example["prefix"])


def test_the_readme_walks_from_an_empty_project_to_a_running_system_and_back() -> None:
    readme = (TF_DIR / "README.md").read_text()
    for step in (
        "make package",
        "terraform init",
        "terraform apply",
        "gcloud secrets versions add",
        "https://www.googleapis.com/auth/apps.order",
        "Domain Wide Delegation",
        "eventarc_dead_letter_commands",
        "firebase deploy --only hosting",
        "pause-automation",
        "resume-automation",
        "pause-buying",
        "resume-buying",
        "controls/buying",
        "run-sync-now",
        "Costs at rest",
        "terraform -chdir=infra/terraform destroy",
    ):
        assert step in readme, step
