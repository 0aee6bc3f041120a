# Alert policies: each failure that costs a customer money or trust opens an incident before the
# customer notices. Every policy's documentation says what happened, what it costs the customer
# and what to do, and links to its section of docs/operations.md (the runbook), which
# tests/infra/test_monitoring.py checks exists. The metrics are in monitoring-metrics.tf; the
# channels incidents go to are inputs (alert_channels, alert_channel_secrets), none built in.

# --- notification channels ---------------------------------------------------------------------

resource "google_monitoring_notification_channel" "email" {
  for_each     = toset(var.alert_channels.emails)
  project      = var.project_id
  display_name = "${var.prefix} alerts: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
  user_labels = local.labels
  depends_on  = [google_project_service.service]
}

resource "google_monitoring_notification_channel" "slack" {
  for_each     = toset(var.alert_channels.slack_channels)
  project      = var.project_id
  display_name = "${var.prefix} alerts: Slack ${each.value}"
  type         = "slack"
  labels = {
    channel_name = each.value
  }
  sensitive_labels {
    auth_token = var.alert_channel_secrets.slack_auth_token
  }
  user_labels = local.labels
  lifecycle {
    precondition {
      condition     = var.alert_channel_secrets.slack_auth_token != null
      error_message = "alert_channels.slack_channels needs alert_channel_secrets.slack_auth_token: the token of the Google Cloud Monitoring Slack app."
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_notification_channel" "webhook" {
  for_each     = toset(var.alert_channels.webhooks)
  project      = var.project_id
  display_name = "${var.prefix} alerts: webhook ${each.value}"
  type         = "webhook_tokenauth"
  labels = {
    url = each.value
  }
  user_labels = local.labels
  depends_on  = [google_project_service.service]
}

resource "google_monitoring_notification_channel" "pagerduty" {
  count        = var.alert_channels.pagerduty ? 1 : 0
  project      = var.project_id
  display_name = "${var.prefix} alerts: PagerDuty"
  type         = "pagerduty"
  sensitive_labels {
    service_key = var.alert_channel_secrets.pagerduty_service_key
  }
  user_labels = local.labels
  lifecycle {
    precondition {
      condition     = var.alert_channel_secrets.pagerduty_service_key != null
      error_message = "alert_channels.pagerduty needs alert_channel_secrets.pagerduty_service_key: the PagerDuty service's integration key."
    }
  }
  depends_on = [google_project_service.service]
}

locals {
  alert_channel_ids = concat(
    [for c in google_monitoring_notification_channel.email : c.id],
    [for c in google_monitoring_notification_channel.slack : c.id],
    [for c in google_monitoring_notification_channel.webhook : c.id],
    [for c in google_monitoring_notification_channel.pagerduty : c.id],
  )
  runbook = var.runbook_url

  # A log-based metric as an alert condition reads it (its time series are on the Cloud Run
  # revision that wrote the log line).
  user_metric = { for name, m in {
    sync_runs                    = google_logging_metric.sync_runs.name
    topup_outcomes               = google_logging_metric.topup_outcomes.name
    notification_outcomes        = google_logging_metric.notification_outcomes.name
    reseller_api_errors          = google_logging_metric.reseller_api_errors.name
    firestore_contention_retries = google_logging_metric.firestore_contention_retries.name
    audit_chains_broken          = google_logging_metric.audit_chains_broken.name
    audit_checks                 = google_logging_metric.audit_checks.name
  } : name => "resource.type=\"cloud_run_revision\" AND metric.type=\"${local.log_metric_prefix}/${m}\"" }

  # Every dead-letter inspect subscription: one per push route (pubsub.tf), the Firestore
  # triggers' one (eventarc.tf) and the Reseller notifications' one (reseller-events.tf, when
  # that topic is set).
  dead_letter_subscriptions = concat(
    [for s in google_pubsub_subscription.dead_letter_inspect : s.name],
    [google_pubsub_subscription.firestore_dead_letter_inspect.name],
    [for s in google_pubsub_subscription.reseller_events_dead_letter_inspect : s.name],
  )
  deployed_services = [for f in values(local.functions) : f.service_name]
  # Functions that may run more than one instance: those can saturate. sync_usage and
  # sweep_requests run alone by design and answer an overlapping tick with 429.
  scalable_functions = { for name, f in local.functions : name => f if f.max_instances > 1 }
}

# --- policies -----------------------------------------------------------------------------------

resource "google_monitoring_alert_policy" "sync_stalled" {
  project               = var.project_id
  display_name          = "${var.prefix}: no complete usage sync for three intervals"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** no usage sync run of `${var.prefix}` has completed every shard's listing for ${var.sync.interval_minutes * 3} minutes (three intervals). Either the sync stopped running (scheduler paused, function failing, trigger dead-lettered) or every run stops part-way (Reseller API down, refused or too slow).

      **What it costs the customer:** the dashboard's figures age and turn stale; low-licence alerts and automatic top-ups wait for a sync, so a customer running out of seats is not topped up and new users cannot be given licences.

      **What to do:** confirm with `licence-manager ops status` (is sync-usage ENABLED, when did it last run?) and the `usage sync finished` log records; follow the runbook: [${local.runbook}#sync-stalled](${local.runbook}#sync-stalled).
    EOT
  }
  conditions {
    display_name = "No usage sync run with outcome OK"
    condition_absent {
      filter   = "${local.user_metric.sync_runs} AND metric.label.outcome=\"OK\""
      duration = "${var.sync.interval_minutes * 3 * 60}s"
      aggregations {
        alignment_period     = "${var.sync.interval_minutes * 60}s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  project               = var.project_id
  display_name          = "${var.prefix}: messages on a dead-letter subscription"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** Pub/Sub gave up delivering a message after 5 attempts and moved it to a dead-letter topic; its `-dead-letter-inspect` subscription (named in the incident) holds it for 7 days. The function kept failing on it: a bug, a permission, or an outage longer than the retries.

      **What it costs the customer:** what that message carried did not happen yet: a top-up request, an email (alert, confirmation, month-end report), a threshold evaluation or one customer's holder sync. The request sweeper re-drives unfinished top-up requests and unsent emails every 5 minutes; a threshold evaluation or a month-end page is not re-driven by it.

      **What to do:** read the messages, fix the cause, re-drive what the sweeper does not, then clear the subscription: [${local.runbook}#dead-letters](${local.runbook}#dead-letters).
    EOT
  }
  conditions {
    display_name = "Undelivered messages on a dead-letter inspect subscription"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id=one_of(${join(",", [for s in local.dead_letter_subscriptions : "\"${s}\""])})"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "60s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "topup_failed" {
  project               = var.project_id
  display_name          = "${var.prefix}: a top-up failed or could not be confirmed"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** a seat-change request ended FAILED (Google refused it, the subscription was not active, or the sweeper gave up after 8 attempts or 45 minutes without reaching Google) or UNCONFIRMED (it was sent to Google but no attempt could read its outcome for 45 minutes). The incident's labels name the customer.

      **What it costs the customer:** FAILED: seats they needed (or an admin asked for) were not added; users may be waiting for licences. The admin got a "top-up not made" email. UNCONFIRMED: Google may or may not have added (and will invoice) the seats; Licence Manager keeps checking and never buys it twice.

      **What to do:** find the request in the `top-up request finished` / `top-up unconfirmed` records, check the subscription in the reseller console, and follow the runbook: [${local.runbook}#top-up-failed-or-unconfirmed](${local.runbook}#top-up-failed-or-unconfirmed).
    EOT
  }
  conditions {
    display_name = "Top-up outcome FAILED or UNCONFIRMED"
    condition_threshold {
      filter          = "${local.user_metric.topup_outcomes} AND metric.label.outcome=one_of(\"FAILED\",\"UNCONFIRMED\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.outcome", "metric.label.customer_id"]
      }
    }
  }
  alert_strategy {
    auto_close = "86400s"
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "topup_blocked" {
  project               = var.project_id
  display_name          = "${var.prefix}: automatic top-ups blocked"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** an automatic top-up was due (vacant seats below the customer's trigger) but was not made: a cap (total seats, seats a month), a plan rule (trials, free plans), reclaimable seats held back, or buying paused by reseller ops. Once per crossing per licence.

      **What it costs the customer:** the customer asked to be topped up and is not; users may be left without licences until an admin adds seats or raises the cap. The customer's admins got a "top-up not made" email saying why.

      **What to do:** read the reason in the `automatic top-up blocked` record; a pause by reseller ops is deliberate, a cap is the customer's choice. Follow the runbook: [${local.runbook}#top-up-blocked](${local.runbook}#top-up-blocked).
    EOT
  }
  conditions {
    display_name = "Top-up outcome BLOCKED"
    condition_threshold {
      filter          = "${local.user_metric.topup_outcomes} AND metric.label.outcome=\"BLOCKED\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_thresholds.topups_blocked
      duration        = "0s"
      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.customer_id"]
      }
    }
  }
  alert_strategy {
    auto_close = "86400s"
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "email_failures" {
  project               = var.project_id
  display_name          = "${var.prefix}: emails not delivered"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** more than ${var.alert_thresholds.email_failures} emails in 15 minutes ended FAILED (SendGrid refused them: a revoked or wrong API key, an unverified sender, refused recipients) or UNCONFIRMED (the sender stopped after handing one over).

      **What it costs the customer:** admins do not hear of low licences, top-ups made or not made, approvals or their month-end report (an invoice input). Nothing in the emails is retried on its own once FAILED.

      **What to do:** read `error` in the `notification not delivered` records, check the SendGrid key and sender, then re-send: [${local.runbook}#email-delivery-failures](${local.runbook}#email-delivery-failures).
    EOT
  }
  conditions {
    display_name = "Emails FAILED or UNCONFIRMED in 15 minutes"
    condition_threshold {
      filter          = "${local.user_metric.notification_outcomes} AND metric.label.outcome=one_of(\"FAILED\",\"UNCONFIRMED\")"
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_thresholds.email_failures
      duration        = "0s"
      aggregations {
        alignment_period     = "900s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "reseller_refusing" {
  project               = var.project_id
  display_name          = "${var.prefix}: Reseller API answering 403 or 503"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** more than ${var.alert_thresholds.reseller_errors} Reseller API answers in 5 minutes were 403 (access refused: the delegation lost its scope, the reseller admin changed, or a customer's reseller relationship ended) or 503 (Google's answer to a quota breach, or an outage). Retried tries count too.

      **What it costs the customer:** 403: that customer's (or, for a shard's listing, every customer's) figures stop updating and top-ups for them fail. 503: syncs stop part-way and top-ups wait; past the retries they are dead-lettered and swept.

      **What to do:** group by `http_status` and `customer_id` in the incident, then follow the runbook: [${local.runbook}#reseller-api-refusing](${local.runbook}#reseller-api-refusing).
    EOT
  }
  conditions {
    display_name = "Reseller API 403 or 503 answers in 5 minutes"
    condition_threshold {
      filter          = "${local.user_metric.reseller_api_errors} AND metric.label.http_status=one_of(\"403\",\"503\")"
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_thresholds.reseller_errors
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.http_status"]
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "function_errors" {
  project               = var.project_id
  display_name          = "${var.prefix}: functions answering with errors"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** a function answered more than ${var.alert_thresholds.function_errors} requests with a 5xx in 5 minutes: its handler raised (a bug, a missing permission or setting, an outage of Firestore, Pub/Sub or SendGrid), or it asked for a redelivery (a busy licence, SendGrid deferring) more often than usual.

      **What it costs the customer:** whatever that function does is delayed, then dead-lettered after 5 attempts: syncs, evaluations, top-ups, emails or, for `api`, the dashboard itself.

      **What to do:** read the function's ERROR records and stack traces, then follow the runbook: [${local.runbook}#function-errors](${local.runbook}#function-errors).
    EOT
  }
  conditions {
    display_name = "5xx answers of one function in 5 minutes"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"run.googleapis.com/request_count\" AND metric.label.response_code_class=\"5xx\" AND resource.labels.service_name=one_of(${join(",", [for s in local.deployed_services : "\"${s}\""])})"
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_thresholds.function_errors
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "instance_saturation" {
  for_each              = local.scalable_functions
  project               = var.project_id
  display_name          = "${var.prefix}: ${each.key} at its instance limit"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** `${each.key}` has run at its limit of ${each.value.max_instances} active instances for 15 minutes: more work arrives than it can take, and Pub/Sub or Eventarc hold the rest back and redeliver it with backoff.

      **What it costs the customer:** everything that function does waits: top-ups and emails arrive late, a burst of licence changes is evaluated late; for `api`, dashboard requests queue or fail. Past 5 attempts messages are dead-lettered.

      **What to do:** find what floods it (a first sync of a large book, a month-end, a retry storm), then raise its max_instances through `function_overrides` if the load is real: [${local.runbook}#instance-saturation](${local.runbook}#instance-saturation).
    EOT
  }
  conditions {
    display_name = "${each.key}: active instances at max_instances"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"run.googleapis.com/container/instance_count\" AND metric.label.state=\"active\" AND resource.labels.service_name=\"${each.value.service_name}\""
      comparison      = "COMPARISON_GE"
      threshold_value = each.value.max_instances
      duration        = "900s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "firestore_contention" {
  project               = var.project_id
  display_name          = "${var.prefix}: Firestore transactions retried after contention"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** more than ${var.alert_thresholds.contention_retries} Firestore transactions in 10 minutes were run again because another writer held the same documents (ABORTED, lock timeouts). A few are expected when a sync and a top-up touch one licence; a steady rate means writers keep colliding on hot documents.

      **What it costs the customer:** every step that waits on those documents slows down (syncs, evaluations, top-ups); past the retries a step fails and is redelivered, and a sync reports that licence's figures as not saved.

      **What to do:** see which function retries (label `function`) and what ran at the time, then follow the runbook: [${local.runbook}#firestore-contention](${local.runbook}#firestore-contention).
    EOT
  }
  conditions {
    display_name = "Contention retries in 10 minutes"
    condition_threshold {
      filter          = local.user_metric.firestore_contention_retries
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_thresholds.contention_retries
      duration        = "0s"
      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.function"]
      }
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "audit_chain_broken" {
  project               = var.project_id
  display_name          = "${var.prefix}: an audit chain is broken"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** the daily audit check found a customer's audit hash chain broken: an entry in Firestore (`audit_events`) or the chain's head (`audit_heads`) was changed, removed or inserted outside Licence Manager, by someone or something with direct database access. The incident's labels name the customer and the chain (SKU).

      **What it costs the customer:** the audit log is the evidence behind every seat change Licence Manager made and every seat that will be invoiced; while the chain is broken, the invoice evidence for that customer is in doubt and cannot be shown to be unaltered.

      **What to do:** run `licence-manager ops verify-audit --customer ID --against-export DAY --heads BUCKET` (DAY: the day before the first alert; BUCKET: `terraform output audit_heads_bucket`) to see which entries changed, preserve the day's Firestore export, find who wrote in Cloud Audit Logs, and tell the customer: [${local.runbook}#audit-chain-broken](${local.runbook}#audit-chain-broken).
    EOT
  }
  conditions {
    display_name = "Audit chains found broken"
    condition_threshold {
      filter          = local.user_metric.audit_chains_broken
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.customer_id", "metric.label.sku_id"]
      }
    }
  }
  alert_strategy {
    auto_close = "172800s"
  }
  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "audit_check_missing" {
  project               = var.project_id
  display_name          = "${var.prefix}: no audit check completed for two days"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.alert_channel_ids
  user_labels           = local.labels
  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      **What happened:** the daily audit check of `${var.prefix}` has completed no customer for about two days (24 hours of the per-day count plus 23.5 hours of silence, the longest absence Cloud Monitoring watches): the `verify-audit` scheduler job is paused or failing, the plan or every customer's message is dead-lettered, or verify_audit fails before it logs `audit check customer`.

      **What it costs the customer:** nothing at once, but a change to the audit log outside the app goes unnoticed while the check is down, and no chain heads are exported to the retention-locked bucket for those days, so later tampering of that period cannot be proved against an export.

      **What to do:** `licence-manager ops status` (is verify-audit ENABLED?), `licence-manager ops dead-letters list --subscription verify-audit-customer`, the function's ERROR records; follow the runbook: [${local.runbook}#audit-check-not-running](${local.runbook}#audit-check-not-running).
    EOT
  }
  conditions {
    display_name = "No customer audit check completed"
    condition_absent {
      filter = local.user_metric.audit_checks
      # Absence is watched for at most 23.5 hours; over a one-day count that is ~2 days without
      # a completed check (the check runs once a day, so one day's silence is normal).
      duration = "84600s"
      aggregations {
        alignment_period     = "86400s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  depends_on = [google_project_service.service]
}
