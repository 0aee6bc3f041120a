# Every input has a description, a type and, where a wrong value would deploy something broken,
# a validation. terraform.tfvars.example shows a complete set.

variable "project_id" {
  description = "Google Cloud project that holds the whole system (Firebase is enabled on it)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the functions, Pub/Sub push endpoints, Cloud Scheduler jobs, the source bucket and the image repository."
  type        = string
  default     = "europe-west2"
  nullable    = false
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west2."
  }
}

variable "prefix" {
  description = "Prefix of every resource name (functions, service accounts, topics, jobs, secrets), so that several deployments can share a project. No random suffixes anywhere."
  type        = string
  default     = "lm"
  nullable    = false
  validation {
    # Service account ids are 6-30 characters: "<prefix>-thresholds-inv" must fit.
    condition     = can(regex("^[a-z][a-z0-9-]{0,10}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 2-12 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "labels" {
  description = "Labels added to every resource that takes labels."
  type        = map(string)
  default     = {}
  nullable    = false
  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "Label keys start with a lowercase letter; keys and values use lowercase letters, digits, _ and - (at most 63)."
  }
}

variable "bundle_dir" {
  description = "Folder, relative to this module, where `make package` wrote the function zips and manifest.json."
  type        = string
  default     = "../../build/functions"
  nullable    = false
}

variable "firestore" {
  description = "The Firestore database. `location` is also where the Eventarc Firestore triggers live (they must be in the database's location): a multi-region (eur3, nam5) or a region."
  type = object({
    database               = optional(string, "(default)")
    location               = optional(string, "eur3")
    deletion_protection    = optional(bool, true)
    point_in_time_recovery = optional(bool, true)
  })
  default  = {}
  nullable = false
  validation {
    condition     = var.firestore.database == "(default)" || can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.firestore.database))
    error_message = "firestore.database is \"(default)\" or 4-63 lowercase letters, digits and hyphens starting with a letter."
  }
  validation {
    condition     = contains(["eur3", "nam5", "nam7"], var.firestore.location) || can(regex("^[a-z]+-[a-z]+[0-9]+$", var.firestore.location))
    error_message = "firestore.location is a Firestore multi-region (eur3, nam5, nam7) or a region such as europe-west2."
  }
}

variable "reseller" {
  description = "Workspace Reseller API access through keyless domain-wide delegation: `admin_subject` is the reseller-domain admin the functions act as (scope apps.order); `timeout_seconds` bounds each API call."
  type = object({
    admin_subject   = string
    timeout_seconds = optional(number, 30)
  })
  nullable = false
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.reseller.admin_subject))
    error_message = "reseller.admin_subject must be the email address of a reseller-domain admin user."
  }
  validation {
    condition     = var.reseller.timeout_seconds > 0 && var.reseller.timeout_seconds <= 120
    error_message = "reseller.timeout_seconds must be between 1 and 120."
  }
}

variable "sync" {
  description = "The usage sync: how often Cloud Scheduler starts it, the customer-name prefixes it shards by (empty: one shard), how many shards run in parallel, and how fast a large book's first sync writes new licences (new_licences_per_second, about 5 writes each: Firestore asks new traffic to start under 500 writes a second; new_licences_per_run, the rest wait for later runs)."
  type = object({
    interval_minutes        = optional(number, 5)
    customer_prefixes       = optional(list(string), [])
    max_parallel_shards     = optional(number, 8)
    new_licences_per_second = optional(number, 90)
    new_licences_per_run    = optional(number, 20000)
  })
  default  = {}
  nullable = false
  validation {
    # */N is only evenly spaced across the hour when N divides 60.
    condition     = contains([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30], var.sync.interval_minutes)
    error_message = "sync.interval_minutes must divide 60: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30."
  }
  validation {
    condition     = alltrue([for p in var.sync.customer_prefixes : can(regex("^[a-z0-9][a-z0-9.-]*$", p))])
    error_message = "sync.customer_prefixes are lowercase customer-domain prefixes, e.g. [\"a\", \"b\"]."
  }
  validation {
    condition     = var.sync.max_parallel_shards >= 1 && var.sync.max_parallel_shards <= 32
    error_message = "sync.max_parallel_shards must be between 1 and 32."
  }
  validation {
    # 100 a second is about 500 writes a second, where Firestore's 500/50/5 rule starts.
    condition     = var.sync.new_licences_per_second > 0 && var.sync.new_licences_per_second <= 100
    error_message = "sync.new_licences_per_second must be more than 0 and at most 100 (about 500 writes a second)."
  }
  validation {
    # A run must finish inside the function's timeout (540 s) at the pace above.
    condition     = var.sync.new_licences_per_run >= 1 && var.sync.new_licences_per_run <= 40000 && floor(var.sync.new_licences_per_run) == var.sync.new_licences_per_run
    error_message = "sync.new_licences_per_run must be a whole number from 1 to 40000."
  }
}

variable "default_time_zone" {
  description = "Time zone of a customer that has none of its own (daily rollups, reports)."
  type        = string
  default     = "Europe/London"
  nullable    = false
  validation {
    condition     = can(regex("^(UTC|Etc/[A-Za-z0-9+-]+|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$", var.default_time_zone))
    error_message = "default_time_zone must be an IANA time zone name such as Europe/London."
  }
}

variable "month_end_report" {
  description = "When Cloud Scheduler publishes the month-end additions report job (cron, in `time_zone`)."
  type = object({
    # 12:00 UTC on the 1st: the month has ended on every customer's clock (UTC-12 to UTC+14)
    # and the next has not, so each customer's month-end follows their own time zone.
    schedule  = optional(string, "0 12 1 * *")
    time_zone = optional(string, "Etc/UTC")
  })
  default  = {}
  nullable = false
  validation {
    condition     = length(split(" ", trimspace(var.month_end_report.schedule))) == 5
    error_message = "month_end_report.schedule must be a five-field cron expression."
  }
  validation {
    condition     = can(regex("^(UTC|Etc/[A-Za-z0-9+-]+|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$", var.month_end_report.time_zone))
    error_message = "month_end_report.time_zone must be an IANA time zone name such as Europe/London."
  }
}

variable "alerts" {
  description = "Alert emails: the verified SendGrid sender address, and the dashboard link put in each email (default: the Firebase Hosting site)."
  type = object({
    sender_email  = string
    dashboard_url = optional(string)
  })
  nullable = false
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alerts.sender_email))
    error_message = "alerts.sender_email must be an email address."
  }
  validation {
    condition     = var.alerts.dashboard_url == null || can(regex("^https://", var.alerts.dashboard_url))
    error_message = "alerts.dashboard_url must start with https://."
  }
}

variable "topup_lease_seconds" {
  description = "How long, in seconds, an apply_topup attempt holds its claim on a seat-change request (TOPUP_LEASE_SECONDS of apply_topup and sweep_requests). The lease must outlast the longest apply attempt, which the function's timeout bounds (300 s unless function_overrides changes it): while an attempt may still be inside changeSeats, no redelivery and no sweep may start a second one. A plan is refused when the lease is not longer than apply_topup's timeout (precondition in functions.tf). Longer leases delay the re-drive of an attempt that died by as much."
  type        = number
  default     = 420
  nullable    = false
  validation {
    # The cross-check with apply_topup's timeout (which function_overrides may change) is a
    # precondition on the function: a variable's validation can only see that variable in
    # Terraform 1.5.
    condition     = var.topup_lease_seconds == floor(var.topup_lease_seconds) && var.topup_lease_seconds >= 60 && var.topup_lease_seconds <= 3600
    error_message = "topup_lease_seconds must be a whole number of seconds from 60 to 3600, and longer than apply_topup's timeout (300 s by default)."
  }
}

variable "reseller_ops_email" {
  description = "Reseller ops' email address: where a request above a customer's spending limit (seats per request or estimated cost per month) is announced for approval in the dashboard (RESELLER_OPS_EMAIL of api and send_alerts)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.reseller_ops_email))
    error_message = "reseller_ops_email must be an email address."
  }
}

variable "function_overrides" {
  description = "Per-function changes to the sizes chosen in locals.tf (memory such as \"512Mi\", cpu, timeout, instance limits). sync_usage always runs as one instance handling one request: runs must not overlap."
  type = map(object({
    memory          = optional(string)
    cpu             = optional(string)
    timeout_seconds = optional(number)
    max_instances   = optional(number)
    min_instances   = optional(number)
  }))
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for name in keys(var.function_overrides) : contains(["sync_usage", "evaluate_thresholds", "apply_topup", "sweep_requests", "send_alerts", "sync_holders", "verify_audit", "api"], name)])
    error_message = "function_overrides keys must be function names: sync_usage, evaluate_thresholds, apply_topup, sweep_requests, send_alerts, sync_holders, verify_audit, api."
  }
  validation {
    condition     = alltrue([for name, o in var.function_overrides : o.max_instances == null || name != "sync_usage"])
    error_message = "sync_usage.max_instances cannot be overridden: a second instance would run overlapping syncs."
  }
  validation {
    # Pub/Sub push waits at most 600 s for an answer; a longer run would be redelivered while it
    # still runs.
    condition     = alltrue([for o in values(var.function_overrides) : o.timeout_seconds == null || (o.timeout_seconds >= 10 && o.timeout_seconds <= 540)])
    error_message = "timeout_seconds must be between 10 and 540."
  }
  validation {
    condition     = alltrue([for o in values(var.function_overrides) : o.memory == null || can(regex("^[0-9]+(Mi|Gi)$", o.memory))])
    error_message = "memory is written like \"512Mi\" or \"1Gi\"."
  }
}

variable "hosting" {
  description = "Firebase Hosting site for the web dashboard (site_id defaults to \"<project_id>-<prefix>\"; it is global, like a bucket name) and extra domains allowed to sign in (custom domains)."
  type = object({
    site_id            = optional(string)
    authorized_domains = optional(list(string), [])
  })
  default  = {}
  nullable = false
  validation {
    condition     = var.hosting.site_id == null || can(regex("^[a-z0-9][a-z0-9-]{4,61}[a-z0-9]$", var.hosting.site_id))
    error_message = "hosting.site_id must be 6-63 lowercase letters, digits and hyphens."
  }
}

variable "google_sign_in_client_id" {
  description = "OAuth web client id for \"Sign in with Google\" on the dashboard (created in the console, see README). Null: enable the Google provider in the Firebase console instead."
  type        = string
  default     = null
  validation {
    condition     = var.google_sign_in_client_id == null || can(regex("\\.apps\\.googleusercontent\\.com$", var.google_sign_in_client_id))
    error_message = "google_sign_in_client_id ends with .apps.googleusercontent.com."
  }
}

variable "google_sign_in_client_secret" {
  description = "Secret of the OAuth web client in google_sign_in_client_id. It is stored in the Terraform state: keep the state in a bucket only ops can read."
  type        = string
  default     = null
  sensitive   = true
}

# --- monitoring (monitoring-*.tf) ---

variable "alert_channels" {
  description = "Where Cloud Monitoring sends incidents of the alert policies (monitoring-alerts.tf): email addresses; Slack channels such as \"#licence-ops\" through the Google Cloud Monitoring Slack app (its token in alert_channel_secrets.slack_auth_token); HTTPS webhooks (token-authenticated webhook channels); PagerDuty when pagerduty is true (the service's integration key in alert_channel_secrets.pagerduty_service_key). None by default: incidents then show only in the console."
  type = object({
    emails         = optional(list(string), [])
    slack_channels = optional(list(string), [])
    webhooks       = optional(list(string), [])
    pagerduty      = optional(bool, false)
  })
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for e in var.alert_channels.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_channels.emails must be email addresses."
  }
  validation {
    condition     = alltrue([for c in var.alert_channels.slack_channels : can(regex("^#[a-z0-9][a-z0-9._-]{0,79}$", c))])
    error_message = "alert_channels.slack_channels are Slack channel names such as \"#licence-ops\" (lowercase, starting with #)."
  }
  validation {
    condition     = alltrue([for w in var.alert_channels.webhooks : can(regex("^https://[^\\s]+$", w))])
    error_message = "alert_channels.webhooks must be https:// addresses."
  }
}

variable "alert_channel_secrets" {
  description = "Secrets of the alert channels in alert_channels: slack_auth_token (the OAuth token of the Google Cloud Monitoring Slack app, needed when slack_channels is not empty) and pagerduty_service_key (the PagerDuty service's integration key, needed when pagerduty is true). Stored in the Terraform state: keep the state in a bucket only ops can read."
  type = object({
    slack_auth_token      = optional(string)
    pagerduty_service_key = optional(string)
  })
  default   = {}
  nullable  = false
  sensitive = true
  validation {
    condition     = var.alert_channel_secrets.slack_auth_token == null || can(regex("^xox[a-z]-[A-Za-z0-9-]{10,}$", var.alert_channel_secrets.slack_auth_token))
    error_message = "alert_channel_secrets.slack_auth_token must be a Slack OAuth token (xoxb-... or xoxp-...)."
  }
  validation {
    condition     = var.alert_channel_secrets.pagerduty_service_key == null || can(regex("^[A-Za-z0-9]{20,64}$", var.alert_channel_secrets.pagerduty_service_key))
    error_message = "alert_channel_secrets.pagerduty_service_key must be a PagerDuty integration key (20-64 letters and digits)."
  }
}

variable "alert_thresholds" {
  description = "When the rate alerts fire (monitoring-alerts.tf), each a count above which the policy opens an incident: email_failures (emails FAILED or UNCONFIRMED in 15 minutes), reseller_errors (Reseller API 403 or 503 answers in 5 minutes, retried tries included), function_errors (5xx answers of one function in 5 minutes: a handler that raised, including deliberate retries), contention_retries (Firestore contention retries in 10 minutes), topups_blocked (automatic top-ups blocked by a cap or a pause in an hour; 0: every one)."
  type = object({
    email_failures     = optional(number, 2)
    reseller_errors    = optional(number, 10)
    function_errors    = optional(number, 5)
    contention_retries = optional(number, 20)
    topups_blocked     = optional(number, 0)
  })
  default  = {}
  nullable = false
  validation {
    condition = alltrue([for v in [
      var.alert_thresholds.email_failures, var.alert_thresholds.reseller_errors,
      var.alert_thresholds.function_errors, var.alert_thresholds.contention_retries,
      var.alert_thresholds.topups_blocked,
    ] : v >= 0 && v <= 100000 && floor(v) == v])
    error_message = "alert_thresholds are whole numbers from 0 to 100000."
  }
}

variable "runbook_url" {
  description = "Address of docs/operations.md as ops read it (e.g. the repository's web page of that file): each alert's documentation links to its section there. Default: the path in the repository."
  type        = string
  default     = "docs/operations.md"
  nullable    = false
  validation {
    condition     = var.runbook_url == "docs/operations.md" || can(regex("^https://[^\\s#]+$", var.runbook_url))
    error_message = "runbook_url must be an https:// address without a #fragment (or the default docs/operations.md)."
  }
}

variable "reseller_events_topic" {
  description = "Google's Reseller notification topic for this reseller, as `licence-manager ops register-notifications --service-account SA` prints it (projects/partner-watch/topics/...: it lives in a Google-owned project). Terraform subscribes react_to_reseller_events to it, so it must run as a service account registered there. null: no subscription, the scheduled sync alone keeps the figures (every few minutes instead of seconds)."
  type        = string
  default     = null
  nullable    = true
  validation {
    condition     = var.reseller_events_topic == null || can(regex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/[A-Za-z][A-Za-z0-9._~%+-]{2,254}$", var.reseller_events_topic))
    error_message = "reseller_events_topic must be a full Pub/Sub topic name, projects/<project>/topics/<topic>, as register-notifications prints it, or null."
  }
}

variable "event_relist_window_seconds" {
  description = "Reseller events of one customer within this many seconds of a re-list coalesce into at most one more re-list (EVENT_RELIST_WINDOW_SECONDS of react_to_reseller_events): a script creating 500 users costs two or three Reseller API reads, not 500. Shorter reacts to a second change sooner; longer saves reads in a long burst."
  type        = number
  default     = 5
  nullable    = false
  validation {
    condition     = var.event_relist_window_seconds >= 1 && var.event_relist_window_seconds <= 60
    error_message = "event_relist_window_seconds must be between 1 and 60."
  }
}
