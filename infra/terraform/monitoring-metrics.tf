# Log-based metrics from the functions' structured logs (licence_manager.observability: one JSON
# object per line, which Cloud Logging parses into jsonPayload). A record a metric counts carries
# `event` and its facts as fields; labels are what an operator filters by (function, customer id,
# outcome), never an email address. tests/infra/test_log_metric_filters.py runs the services,
# captures the lines they write and evaluates every filter below against them, so a renamed
# field fails a test instead of silencing an alert. The alert policies (monitoring-alerts.tf)
# and the dashboard (monitoring-dashboard.json) read these metrics as
# logging.googleapis.com/user/<name>.
#
# Cardinality: customer_id labels create a time series only for a customer that had such an
# event in the window (a failure, a top-up, an email), not one per customer at rest.

locals {
  # Every metric counts only this deployment's functions (Cloud Run revisions named
  # <prefix>-<function>), so two deployments in one project keep their figures apart.
  log_scope = "resource.type=\"cloud_run_revision\" AND (${join(" OR ", [for f in values(local.functions) : "resource.labels.service_name=\"${f.service_name}\""])})"

  # Cloud Monitoring names a log-based metric "logging.googleapis.com/user/<its name>".
  log_metric_prefix = "logging.googleapis.com/user"
}

resource "google_logging_metric" "sync_runs" {
  project     = var.project_id
  name        = "${var.prefix}/sync_runs"
  description = "Usage sync runs by outcome: OK when every shard's listing completed (every customer's figures fresh), INCOMPLETE when a listing stopped. One record per run (`usage sync finished`)."
  filter      = "${local.log_scope} AND jsonPayload.event=\"sync.finished\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Usage sync runs"
    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "OK or INCOMPLETE."
    }
  }
  label_extractors = {
    outcome = "EXTRACT(jsonPayload.outcome)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "sync_duration" {
  project         = var.project_id
  name            = "${var.prefix}/sync_duration"
  description     = "How long each usage sync run took, in seconds (from its start to its summary record)."
  filter          = "${local.log_scope} AND jsonPayload.event=\"sync.finished\""
  value_extractor = "EXTRACT(jsonPayload.durationSeconds)"
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "s"
    display_name = "Usage sync duration"
  }
  bucket_options {
    # 0.25 s doubling: the last finite bucket starts at about 36 hours.
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 2
      scale              = 0.25
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "sync_api_calls" {
  project         = var.project_id
  name            = "${var.prefix}/sync_api_calls"
  description     = "Reseller API calls each usage sync run made (subscriptions.list pages, customers.get, checks of vanished licences)."
  filter          = "${local.log_scope} AND jsonPayload.event=\"sync.finished\""
  value_extractor = "EXTRACT(jsonPayload.apiCalls)"
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = "Reseller API calls per sync run"
  }
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 16
      growth_factor      = 2
      scale              = 1
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "sync_licences_written" {
  project         = var.project_id
  name            = "${var.prefix}/sync_licences_written"
  description     = "Licences each usage sync run wrote (created, updated or removed): the Firestore writes beyond the heartbeat, 2-4 writes each (docs/architecture.md, the usage digest)."
  filter          = "${local.log_scope} AND jsonPayload.event=\"sync.finished\""
  value_extractor = "EXTRACT(jsonPayload.licencesWritten)"
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = "Licences written per sync run"
  }
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 16
      growth_factor      = 2
      scale              = 1
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "topup_outcomes" {
  project     = var.project_id
  name        = "${var.prefix}/topup_outcomes"
  description = "Seat-change requests by outcome: APPLIED, FAILED, SUPERSEDED (apply_topup), BLOCKED (evaluate_thresholds: an automatic top-up due but not made), FAILED and UNCONFIRMED (sweep_requests: given up, or sent to Google with no readable outcome for 45 minutes)."
  filter      = "${local.log_scope} AND jsonPayload.event=\"topup.outcome\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Top-up outcomes"
    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "APPLIED, FAILED, SUPERSEDED, BLOCKED or UNCONFIRMED."
    }
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "automatic or manual (an admin's addition or purchase)."
    }
    labels {
      key         = "function"
      value_type  = "STRING"
      description = "The function that recorded the outcome."
    }
    labels {
      key         = "customer_id"
      value_type  = "STRING"
      description = "The Workspace customer id."
    }
  }
  label_extractors = {
    outcome     = "EXTRACT(jsonPayload.outcome)"
    source      = "EXTRACT(jsonPayload.source)"
    function    = "EXTRACT(jsonPayload.function)"
    customer_id = "EXTRACT(jsonPayload.customerId)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "topup_reaction_time" {
  project         = var.project_id
  name            = "${var.prefix}/topup_reaction_time"
  description     = "Reaction time of automatic top-ups, in seconds: from the sync's view of the figures a top-up was decided on (the licence's updatedAt) to the seats changed and recorded."
  filter          = "${local.log_scope} AND jsonPayload.event=\"topup.outcome\" AND jsonPayload.outcome=\"APPLIED\" AND jsonPayload.source=\"automatic\""
  value_extractor = "EXTRACT(jsonPayload.reactionSeconds)"
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "s"
    display_name = "Top-up reaction time (sync → seats changed)"
  }
  bucket_options {
    # 0.25 s doubling: the last finite bucket starts at about 36 hours.
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 2
      scale              = 0.25
    }
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "notification_outcomes" {
  project     = var.project_id
  name        = "${var.prefix}/notification_outcomes"
  description = "Emails by outcome: SENT, FAILED (SendGrid refused it, or every recipient was refused), NO_RECIPIENTS, UNCONFIRMED (the sender stopped after handing it over: it may not have gone out)."
  filter      = "${local.log_scope} AND jsonPayload.event=\"notification.outcome\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Email outcomes"
    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "SENT, FAILED, NO_RECIPIENTS or UNCONFIRMED."
    }
    labels {
      key         = "type"
      value_type  = "STRING"
      description = "The email's type (low_licences, top_up_applied, top_up_failed, month_end_report, ...)."
    }
    labels {
      key         = "customer_id"
      value_type  = "STRING"
      description = "The Workspace customer id."
    }
  }
  label_extractors = {
    outcome     = "EXTRACT(jsonPayload.outcome)"
    type        = "EXTRACT(jsonPayload.notificationType)"
    customer_id = "EXTRACT(jsonPayload.customerId)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "reseller_api_errors" {
  project     = var.project_id
  name        = "${var.prefix}/reseller_api_errors"
  description = "Error answers from the Reseller API, each try counted (retried ones too), by HTTP status: 403 is a customer's or the reseller's access refused, 503 is Google's answer to a quota breach or an outage, 0 is no answer (timeout, dropped connection)."
  filter      = "${local.log_scope} AND jsonPayload.event=\"reseller.error\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Reseller API errors"
    labels {
      key         = "http_status"
      value_type  = "STRING"
      description = "The HTTP status (0: no answer)."
    }
    labels {
      key         = "call"
      value_type  = "STRING"
      description = "The API method, e.g. subscriptions.changeSeats."
    }
    labels {
      key         = "customer_id"
      value_type  = "STRING"
      description = "The customer the call was about (empty for a shard's listing)."
    }
    labels {
      key         = "will_retry"
      value_type  = "STRING"
      description = "true when the adapter tried again, false for the last try."
    }
  }
  label_extractors = {
    http_status = "EXTRACT(jsonPayload.httpStatus)"
    call        = "EXTRACT(jsonPayload.call)"
    customer_id = "EXTRACT(jsonPayload.customerId)"
    will_retry  = "EXTRACT(jsonPayload.willRetry)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "firestore_contention_retries" {
  project     = var.project_id
  name        = "${var.prefix}/firestore_contention_retries"
  description = "Firestore transactions run again after contention (ABORTED, lock timeouts) beyond the client's own attempts, by function."
  filter      = "${local.log_scope} AND jsonPayload.event=\"firestore.contention_retry\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Firestore contention retries"
    labels {
      key         = "function"
      value_type  = "STRING"
      description = "The function whose transaction was retried."
    }
  }
  label_extractors = {
    function = "EXTRACT(jsonPayload.function)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "sweeper_actions" {
  project     = var.project_id
  name        = "${var.prefix}/sweeper_actions"
  description = "What the request sweeper did, one count per request or email: republished (a lost or dead-lettered message driven again), gave_up (a request never sent to Google, failed with an email), alerted (sent to Google, outcome unreadable for 45 minutes)."
  filter      = "${local.log_scope} AND jsonPayload.event=\"sweep.action\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Sweeper actions"
    labels {
      key         = "action"
      value_type  = "STRING"
      description = "republished, gave_up or alerted."
    }
    labels {
      key         = "item"
      value_type  = "STRING"
      description = "request or notification."
    }
  }
  label_extractors = {
    action = "EXTRACT(jsonPayload.action)"
    item   = "EXTRACT(jsonPayload.item)"
  }
  depends_on = [google_project_service.service]
}

# --- the audit check (verify_audit, audit-integrity.tf) and departed customers (retention.tf) ---

resource "google_logging_metric" "audit_chains_broken" {
  project     = var.project_id
  name        = "${var.prefix}/audit_chains_broken"
  description = "Audit hash chains the daily check found broken (an entry changed, removed or inserted in Firestore outside the app, or a head that is not the chain's last entry): one record per broken chain per run (`audit chain broken`)."
  filter      = "${local.log_scope} AND jsonPayload.event=\"audit_chain_broken\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Audit chains broken"
    labels {
      key         = "customer_id"
      value_type  = "STRING"
      description = "The Workspace customer id whose chain is broken."
    }
    labels {
      key         = "sku_id"
      value_type  = "STRING"
      description = "The chain: a SKU id, or `customer` for the customer's own chain."
    }
  }
  label_extractors = {
    customer_id = "EXTRACT(jsonPayload.customerId)"
    sku_id      = "EXTRACT(jsonPayload.skuId)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "audit_checks" {
  project     = var.project_id
  name        = "${var.prefix}/audit_checks"
  description = "Customers the daily audit check completed, by outcome: OK (every chain verified) or BROKEN. One record per customer per run (`audit check customer`); a day without any means the check did not run."
  filter      = "${local.log_scope} AND jsonPayload.event=\"audit_check.customer\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Audit checks completed"
    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "OK or BROKEN."
    }
  }
  label_extractors = {
    outcome = "EXTRACT(jsonPayload.outcome)"
  }
  depends_on = [google_project_service.service]
}

resource "google_logging_metric" "departed_customer_data" {
  project     = var.project_id
  name        = "${var.prefix}/departed_customer_data"
  description = "Departed customers whose data is due for deletion (customer_data_due: a dry run while retention.delete_departed is false) or was deleted (customer_data_deleted)."
  filter      = "${local.log_scope} AND (jsonPayload.event=\"customer_data_due\" OR jsonPayload.event=\"customer_data_deleted\")"
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Departed customers' data due or deleted"
    labels {
      key         = "event"
      value_type  = "STRING"
      description = "customer_data_due or customer_data_deleted."
    }
  }
  label_extractors = {
    event = "EXTRACT(jsonPayload.event)"
  }
  depends_on = [google_project_service.service]
}
