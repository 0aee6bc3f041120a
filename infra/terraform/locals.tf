# The shape of the system in one place: functions and their sizes, topics and who consumes them,
# scheduler jobs. tests/infra checks these tables against the code (entry points, environment
# variables read, Pub/Sub routes in licence_manager_local.topology).

locals {
  labels = merge(var.labels, { app = "licence-manager", deployment = var.prefix })

  # Python 3.11: what pyproject.toml requires and CI tests on. The manifest says the same; a
  # precondition on every function stops a plan where they disagree.
  runtime = "python311"

  # Written by `make package` (tools/package_functions.py): one zip per function, named by hash.
  bundle_path = "${path.module}/${var.bundle_dir}"
  manifest    = jsondecode(file("${local.bundle_path}/manifest.json"))
  bundles     = local.manifest.functions

  firestore_database = var.firestore.database
  dashboard_url      = coalesce(var.alerts.dashboard_url, "https://${local.hosting_site_id}.web.app")
  # Not the project's default site (id = project id), which Firebase may already have made and
  # which can never be deleted.
  hosting_site_id = coalesce(var.hosting.site_id, "${var.project_id}-${var.prefix}")

  # Topics by role. Names are prefixed; the code reads them from TOPUP_TOPIC / ALERT_TOPIC.
  topics = {
    sync_usage       = "${var.prefix}-sync-usage"       # Cloud Scheduler → sync_usage
    topup_requests   = "${var.prefix}-topup-requests"   # evaluate_thresholds, apply_topup, api → apply_topup
    alerts           = "${var.prefix}-alerts"           # evaluate_thresholds, apply_topup, send_alerts → send_alerts
    month_end_report = "${var.prefix}-month-end-report" # Cloud Scheduler, send_alerts (next page) → send_alerts
    sweep_requests   = "${var.prefix}-sweep-requests"   # Cloud Scheduler → sweep_requests
    # send_alerts' month-end planner → send_alerts, one message per customer and month
    month_end_customer = "${var.prefix}-month-end-customer"
    sync_holders       = "${var.prefix}-sync-holders" # Cloud Scheduler, sync_holders (next page) → sync_holders
    # sync_holders' planner → sync_holders, one message per customer
    sync_holders_customer = "${var.prefix}-sync-holders-customer"
    verify_audit          = "${var.prefix}-verify-audit" # Cloud Scheduler, verify_audit (next page) → verify_audit
    # verify_audit's planner → verify_audit, one message per customer
    verify_audit_customer = "${var.prefix}-verify-audit-customer"
  }

  # Pub/Sub push routes, as licence_manager_local.topology.ROUTES declares them for `make run`:
  # a subscription "<topic>-to-<function>" pushing to the function, with a dead-letter topic
  # "<topic>-dead-letter" after MAX_DELIVERY_ATTEMPTS and an "-inspect" pull subscription on it.
  # `route` is the topology's unprefixed topic name.
  push_routes = {
    sync_usage = {
      route    = "sync-usage"
      topic    = local.topics.sync_usage
      function = "sync_usage"
      # A sync trigger older than one interval is superseded by the next tick: keep it an hour.
      message_retention = "3600s"
    }
    topup_requests = {
      route             = "topup-requests"
      topic             = local.topics.topup_requests
      function          = "apply_topup"
      message_retention = "604800s" # 7 days: a top-up request must survive an outage
    }
    alerts = {
      route             = "alerts"
      topic             = local.topics.alerts
      function          = "send_alerts"
      message_retention = "604800s"
    }
    # The month-end planner (services.month_end): each message plans one page of customers,
    # publishing one month-end-customer message each and a message for the next page here.
    month_end_report = {
      route             = "month-end-report"
      topic             = local.topics.month_end_report
      function          = "send_alerts"
      message_retention = "604800s" # a missed month-end run must survive an outage
    }
    # One customer's month-end: send_alerts writes that customer's report once and emails it.
    # A failure retries only this customer's message and dead-letters it after
    # max_delivery_attempts ("<prefix>-month-end-customer-dead-letter-inspect" shows which).
    month_end_customer = {
      route             = "month-end-customer"
      topic             = local.topics.month_end_customer
      function          = "send_alerts"
      message_retention = "604800s" # an invoice input: must survive an outage like the plan
    }
    # The request sweeper: republishes pending requests, re-drives or fails claimed ones whose
    # lease has run out. A tick older than one interval is superseded by the next one (the code
    # drops it by its age): keep it an hour, like the sync's.
    sweep_requests = {
      route             = "sweep-requests"
      topic             = local.topics.sweep_requests
      function          = "sweep_requests"
      message_retention = "3600s"
    }
    # The holder sync's planner (services.holder_sync): each message plans one page of
    # customers, one sync-holders-customer message each and the next page here. A day's plan
    # lost to an outage is replaced by the next day's: keep it a day.
    sync_holders = {
      route             = "sync-holders"
      topic             = local.topics.sync_holders
      function          = "sync_holders"
      message_retention = "86400s"
    }
    # One customer's seat holders. A failure retries only this customer and dead-letters it
    # after max_delivery_attempts; the next day's run syncs it again anyway.
    sync_holders_customer = {
      route             = "sync-holders-customer"
      topic             = local.topics.sync_holders_customer
      function          = "sync_holders"
      message_retention = "86400s"
    }
    # The audit check's planner (services.audit_integrity, audit-integrity.tf): one page of
    # customers a message. A day's plan lost to an outage is replaced by the next day's, which
    # starts from the same checkpoints: keep it a day.
    verify_audit = {
      route             = "verify-audit"
      topic             = local.topics.verify_audit
      function          = "verify_audit"
      message_retention = "86400s"
    }
    # One customer's chains verified and its heads exported. A message that keeps failing is
    # dead-lettered ("<prefix>-verify-audit-customer-dead-letter-inspect" shows which customer).
    verify_audit_customer = {
      route             = "verify-audit-customer"
      topic             = local.topics.verify_audit_customer
      function          = "verify_audit"
      message_retention = "86400s"
    }
  }

  # Delivery policy of every push route, the same numbers as topology.py.
  max_delivery_attempts = 5
  retry_minimum_backoff = "10s"
  retry_maximum_backoff = "600s"

  # Firestore change events for evaluate_thresholds (Eventarc; protobuf DocumentEventData).
  firestore_triggers = {
    licences         = { collection = "licences", function = "evaluate_thresholds" }
    licence_settings = { collection = "licence_settings", function = "evaluate_thresholds" }
  }

  # Cloud Scheduler jobs. The ops CLI (`licence-manager ops`) derives the same names from
  # --prefix: "<prefix>-<key>".
  scheduler_jobs = {
    "sync-usage" = {
      description = "Starts the usage sync (Reseller API → Firestore)."
      schedule    = "*/${var.sync.interval_minutes} * * * *"
      time_zone   = "Etc/UTC"
      topic       = "sync_usage"
      body        = { job = "sync-usage" }
    }
    "month-end-report" = {
      description = "Publishes the month-end additions report job for the previous month."
      schedule    = var.month_end_report.schedule
      time_zone   = var.month_end_report.time_zone
      topic       = "month_end_report"
      body        = { job = "month-end-report" }
    }
    "sweep-requests" = {
      description = "Starts the request sweep: drives again every seat-change request nothing is driving."
      schedule    = "*/${local.sweep_interval_minutes} * * * *"
      time_zone   = "Etc/UTC"
      topic       = "sweep_requests"
      body        = { job = "sweep-requests" }
    }
    # Once a day the sync reads every stored licence instead of trusting the usage digest, and
    # rebuilds the digest from what it read: the safety net under the digest's invariant, and
    # how a licence stored but missing from every digest is ever noticed (docs/architecture.md).
    "sync-usage-verify" = {
      description = "Starts a verifying usage sync: every stored licence is read and the usage digest rebuilt."
      schedule    = "17 3 * * *"
      time_zone   = "Etc/UTC"
      topic       = "sync_usage"
      body        = { job = "sync-usage", verify = true }
    }
    # Who holds each seat: Licensing, Directory and Reports once a day (their data changes
    # slowly and Reports lags by days anyway), after the verifying sync, before the working day
    # in Europe.
    "sync-holders" = {
      description = "Starts the daily holder sync: who holds each seat (Licensing, Directory, Reports APIs) → seat_holders, licence_insights."
      schedule    = "41 3 * * *"
      time_zone   = "Etc/UTC"
      topic       = "sync_holders"
      body        = { job = "sync-holders" }
    }
    # Every customer's audit chains verified from their last verified heads, and the heads
    # exported to the retention-locked bucket (audit-integrity.tf), after the night's syncs.
    "verify-audit" = {
      description = "Starts the daily audit check: every hash chain verified from its checkpoint, heads exported to the retention-locked bucket."
      schedule    = var.audit_integrity.schedule
      time_zone   = "Etc/UTC"
      topic       = "verify_audit"
      body        = { job = "verify-audit" }
    }
  }
  # How often the sweeper runs: a request whose message was lost or dead-lettered, or whose
  # attempt died, is driven again within this interval (once its lease has run out).
  sweep_interval_minutes = 5

  # Settings every function reads (licence_manager.config.Settings).
  common_env = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    FIRESTORE_DATABASE   = local.firestore_database
    DEFAULT_TIME_ZONE    = var.default_time_zone
  }

  # Domain-wide delegation, keyless: the function's own service account has IAM sign its JWT
  # (the IAM Credentials API; token creator on itself) with the reseller admin as subject.
  reseller_env = {
    for name in ["sync_usage", "apply_topup", "react_to_reseller_events"] : name => {
      RESELLER_ADMIN_SUBJECT   = var.reseller.admin_subject
      RESELLER_SERVICE_ACCOUNT = google_service_account.function[name].email
      RESELLER_TIMEOUT_SECONDS = tostring(var.reseller.timeout_seconds)
    }
  }

  # apply_topup unassigns the add-on seats admins confirm on the Reclaim page through the
  # Licensing API, by the same keyless delegation as its Reseller calls (reseller_env): its
  # client id is authorised for both scopes (outputs.unassign_delegation).
  unassign_scopes = [
    "https://www.googleapis.com/auth/apps.order",
    "https://www.googleapis.com/auth/apps.licensing",
  ]

  # The holder sync reads customers' Licensing, Directory and Reports APIs by the same keyless
  # delegation, with its own account and its own scopes (outputs.workspace_delegation): the
  # Licensing API has no read-only scope, so no function but it and apply_topup (for
  # unassigns, above) gets it.
  workspace_env = {
    for name in ["sync_holders"] : name => {
      RESELLER_ADMIN_SUBJECT   = var.reseller.admin_subject
      RESELLER_SERVICE_ACCOUNT = google_service_account.function[name].email
      RESELLER_TIMEOUT_SECONDS = tostring(var.reseller.timeout_seconds)
    }
  }
  workspace_scopes = [
    "https://www.googleapis.com/auth/apps.licensing",
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.reports.usage.readonly",
  ]

  # Sizes. Gen2 functions run on Cloud Run: concurrency above 1 needs at least one CPU; Pub/Sub
  # push waits at most 600 s, so event functions stay within 540 s. min_instances is 0
  # everywhere: nothing is paid at rest except what README.md lists.
  function_defaults = {
    sync_usage = {
      description = "Usage sync: Reseller API subscriptions.list → Firestore licences, rollups, audit."
      short       = "sync"
      trigger     = "pubsub"
      # One instance handling one request at a time, so two runs never overlap: a tick that
      # arrives while a run is going gets 429 and is retried with backoff (10 s, 20 s, 40 s...);
      # once older than one interval it is dropped by the age guard (SYNC_MAX_EVENT_AGE_SECONDS).
      # A tick refused 5 times (a run longer than about 2.5 minutes) lands on the dead-letter
      # topic instead: harmless, the next tick runs, but a steady trickle there says runs take
      # longer than the interval allows.
      max_instances = 1
      concurrency   = 1
      # 25,000 subscriptions: the listing (~2-3 KB of parsed JSON each), the stored licences of a
      # shard and the Firestore/HTTP clients of up to 8 parallel shards come to a few hundred MB;
      # 1 GiB leaves room for the largest shard. One full CPU for JSON parsing and TLS.
      memory          = "1Gi"
      cpu             = "1"
      timeout_seconds = 540
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    evaluate_thresholds = {
      description = "Threshold and top-up rules on each licence or settings change (Firestore, Eventarc)."
      short       = "thresholds"
      trigger     = "firestore"
      # The first sync creates every licence at once (up to 25,000 events). 20 instances of one
      # request each work through that in minutes; beyond it Pub/Sub backs off and redelivers.
      # One request per instance: no assumption that the handler is thread-safe.
      max_instances   = 20
      concurrency     = 1
      memory          = "512Mi"
      cpu             = "0.333"
      timeout_seconds = 120
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    apply_topup = {
      description = "Applies a top-up request exactly once: fresh read, Reseller API changeSeats, record."
      short       = "topup"
      trigger     = "pubsub"
      # Money moves here: one request an instance. Exactly once rests on the per-request claim,
      # not on how few instances run, so a sync that takes ten licences across at once gets ten
      # top-ups at once (5 made a burst's second half wait for the first: docs/performance.md).
      # Google states no numeric Reseller API quota; a 503 is retried with backoff. A run is a
      # fresh read, changeSeats with up to six retries (backoff to 16 s) and the Firestore
      # record: 300 s is ample.
      # var.topup_lease_seconds must outlast the timeout (a precondition in functions.tf refuses
      # a plan where it does not): an attempt stopped at the timeout still holds its claim, so no
      # second attempt on the same request starts while the first may be inside changeSeats.
      max_instances   = 10
      concurrency     = 1
      memory          = "512Mi"
      cpu             = "0.333"
      timeout_seconds = 300
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    sweep_requests = {
      description = "Sweeps seat-change requests: republishes pending ones, re-drives or fails those past their lease."
      short       = "sweep"
      trigger     = "pubsub"
      # One sweep at a time, like the sync: a tick that arrives while a sweep runs gets 429 and
      # is retried, then dropped by its age. A sweep reads the unfinished requests and publishes
      # ids: small work, well inside one interval.
      max_instances   = 1
      concurrency     = 1
      memory          = "256Mi"
      cpu             = "0.167"
      timeout_seconds = 240
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    send_alerts = {
      description = "Sends alert and confirmation emails through SendGrid."
      short       = "alerts"
      trigger     = "pubsub"
      # Email is small work; 10 instances (a burst's confirmations at once) stay well inside
      # SendGrid's rate limits.
      max_instances   = 10
      concurrency     = 1
      memory          = "256Mi"
      cpu             = "0.167"
      timeout_seconds = 120
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    sync_holders = {
      description = "Holder sync: Licensing, Directory and Reports APIs → Firestore seat_holders and licence_insights, daily."
      short       = "holders"
      trigger     = "pubsub"
      # One customer a request. 10 instances sync 10 customers at once, each making a few calls
      # a second (a page of 500 users or 1,000 assignments each): far inside the Admin SDK's
      # per-project quotas (Directory 2,400 queries a minute), and a book of 5,000 customers
      # done in well under an hour. The largest customer (25,000 users: ~50 users.list pages,
      # ~25 listForProduct and ~25 Reports pages, with backoff) fits in 540 s; its users and
      # holders in memory are a few tens of MB.
      max_instances   = 10
      concurrency     = 1
      memory          = "512Mi"
      cpu             = "0.333"
      timeout_seconds = 540
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    react_to_reseller_events = {
      description = "Reseller notifications (Google's topic, reseller-events.tf) → one customer re-listed through the sync's record step."
      short       = "events"
      trigger     = "reseller_events"
      # Most of a burst's events coalesce in one Firestore read; the handler that owns the
      # follow-up re-list waits out the window (5 s) holding its instance, so a few instances
      # keep the rest of a burst flowing. One request an instance, as for every event function.
      max_instances   = 10
      concurrency     = 1
      memory          = "512Mi"
      cpu             = "0.333"
      timeout_seconds = 120
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    verify_audit = {
      description = "Audit check: each customer's hash chains verified from the last verified head; heads exported daily to a retention-locked bucket."
      short       = "audit"
      trigger     = "pubsub"
      # One customer a request: a few id-range reads per chain (what was appended since
      # yesterday), one checkpoint write and one object. 5 instances check a book of 10,000
      # customers in minutes; a first run reads each chain at most 5,000 entries a day.
      max_instances   = 5
      concurrency     = 1
      memory          = "256Mi"
      cpu             = "0.167"
      timeout_seconds = 300
      ingress         = "ALLOW_INTERNAL_ONLY"
    }
    api = {
      description = "The dashboard's data API, behind Firebase Hosting's /api/** rewrite."
      short       = "api"
      trigger     = "http"
      # Interactive: one CPU serving up to 20 requests at a time (Flask under gunicorn threads),
      # 10 instances. Firebase Hosting reaches it from outside Google's network: ingress ALL.
      max_instances   = 10
      concurrency     = 20
      memory          = "512Mi"
      cpu             = "1"
      timeout_seconds = 60
      ingress         = "ALLOW_ALL"
    }
  }

  functions = {
    for name, d in local.function_defaults : name => merge(d, {
      # Trigger → signature type its main.py must declare (checked against the manifest).
      signature_type = d.trigger == "http" ? "http" : "cloudevent"
      memory         = coalesce(try(var.function_overrides[name].memory, null), d.memory)
      cpu            = coalesce(try(var.function_overrides[name].cpu, null), d.cpu)
      timeout_seconds = coalesce(
        try(var.function_overrides[name].timeout_seconds, null), d.timeout_seconds
      )
      max_instances = coalesce(try(var.function_overrides[name].max_instances, null), d.max_instances)
      min_instances = coalesce(try(var.function_overrides[name].min_instances, null), 0)
      service_name  = "${var.prefix}-${replace(name, "_", "-")}"
    })
  }

  # Environment of each function: what licence_manager.config.Settings (and issue 3's code) reads.
  # Never set here: RESELLER_API_ENDPOINT, SENDGRID_API_HOST, LICENCE_MANAGER_LOCAL and
  # LICENCE_MANAGER_WEB_DIR, which point the code at local stand-ins.
  function_env = {
    sync_usage = merge(local.common_env, local.reseller_env.sync_usage, {
      SYNC_CUSTOMER_PREFIXES   = join(",", var.sync.customer_prefixes)
      SYNC_MAX_PARALLEL_SHARDS = tostring(var.sync.max_parallel_shards)
      # A trigger older than one interval is superseded by the next tick.
      SYNC_MAX_EVENT_AGE_SECONDS = tostring(var.sync.interval_minutes * 60)
      # The schedule, recorded in the sync's heartbeat: the dashboard calls figures older than
      # three intervals stale.
      SYNC_INTERVAL_SECONDS = tostring(var.sync.interval_minutes * 60)
      # How long a run holds a shard while it records it (usage digest, docs/architecture.md):
      # a minute past the function's timeout, so a run stopped there is never overlapped.
      SYNC_SHARD_LEASE_SECONDS = tostring(local.functions.sync_usage.timeout_seconds + 60)
      # A large book's first sync, paced (domain/onboarding.py; Firestore's 500/50/5 rule).
      SYNC_NEW_LICENCES_PER_SECOND = tostring(var.sync.new_licences_per_second)
      SYNC_NEW_LICENCES_PER_RUN    = tostring(var.sync.new_licences_per_run)
    })
    evaluate_thresholds = merge(local.common_env, {
      TOPUP_TOPIC = local.topics.topup_requests
      ALERT_TOPIC = local.topics.alerts
    })
    apply_topup = merge(local.common_env, local.reseller_env.apply_topup, {
      # A superseded request re-evaluates its licence, which may publish a new top-up request;
      # an applied one publishes its confirmation.
      TOPUP_TOPIC = local.topics.topup_requests
      ALERT_TOPIC = local.topics.alerts
      # How long a claim on a request lasts: longer than any attempt (variables.tf).
      TOPUP_LEASE_SECONDS = tostring(var.topup_lease_seconds)
    })
    sweep_requests = merge(local.common_env, {
      # Republishes pending requests and re-drives claimed ones whose lease has run out (the same
      # lease as apply_topup's); gives up on a request with a TOP_UP_FAILED alert.
      TOPUP_TOPIC         = local.topics.topup_requests
      ALERT_TOPIC         = local.topics.alerts
      TOPUP_LEASE_SECONDS = tostring(var.topup_lease_seconds)
    })
    send_alerts = merge(local.common_env, {
      ALERT_SENDER_EMAIL = var.alerts.sender_email
      DASHBOARD_URL      = local.dashboard_url
      # The month-end job records each customer's report as a notification and publishes it.
      ALERT_TOPIC = local.topics.alerts
      # The month-end planner publishes its next page and one message per customer.
      MONTH_END_TOPIC          = local.topics.month_end_report
      MONTH_END_CUSTOMER_TOPIC = local.topics.month_end_customer
      # Requests above a customer's spending limit are announced here for approval.
      RESELLER_OPS_EMAIL = var.reseller_ops_email
    })
    sync_holders = merge(local.common_env, local.workspace_env.sync_holders, {
      # The planner publishes its next page and one message per customer.
      HOLDER_SYNC_TOPIC          = local.topics.sync_holders
      HOLDER_SYNC_CUSTOMER_TOPIC = local.topics.sync_holders_customer
      # Each customer's renewal reminders are created as notifications and published here.
      ALERT_TOPIC = local.topics.alerts
    })
    react_to_reseller_events = merge(local.common_env, local.reseller_env.react_to_reseller_events, {
      EVENT_RELIST_WINDOW_SECONDS = tostring(var.event_relist_window_seconds)
    })
    verify_audit = merge(local.common_env, {
      # The planner publishes its next page and one message per customer.
      AUDIT_VERIFY_TOPIC          = local.topics.verify_audit
      AUDIT_VERIFY_CUSTOMER_TOPIC = local.topics.verify_audit_customer
      # Where the verified heads go: create-only for this function (audit-integrity.tf).
      AUDIT_HEADS_BUCKET = google_storage_bucket.audit_heads.name
      # Its daily visit of each customer deletes a departed one's data once due (retention.tf).
      DELETE_DEPARTED          = var.retention.delete_departed ? "1" : "0"
      DEPARTED_AFTER_DAYS      = tostring(var.retention.departed_after_days)
      INVOICING_RETENTION_DAYS = tostring(var.retention.invoicing_days)
    })
    api = merge(local.common_env, {
      # Manual "add licences" requests and purchases go through apply_topup, the one place
      # seats change.
      TOPUP_TOPIC   = local.topics.topup_requests
      DASHBOARD_URL = local.dashboard_url
      # A request held for approval, or declined, is announced by email through send_alerts.
      ALERT_TOPIC = local.topics.alerts
      # Requests above a customer's spending limit wait for reseller ops' approval; this address
      # is told about them.
      RESELLER_OPS_EMAIL = var.reseller_ops_email
      # The dashboard's Firebase web config (public values), handed to the browser by
      # GET /api/v1/session so that it can sign people in with Google.
      FIREBASE_API_KEY     = data.google_firebase_web_app_config.dashboard.api_key
      FIREBASE_AUTH_DOMAIN = data.google_firebase_web_app_config.dashboard.auth_domain
      # Verifies SendGrid's signed Event Webhook (channels.tf); a public key, not a secret.
      SENDGRID_EVENT_PUBLIC_KEY = var.sendgrid_event_public_key
    })
  }

  # Secrets mounted as environment variables, by function (read only by that function's account).
  function_secrets = {
    send_alerts = {
      SENDGRID_API_KEY   = google_secret_manager_secret.sendgrid_api_key.secret_id
      CHANNEL_SECRET_KEY = google_secret_manager_secret.channel_secret_key.secret_id
    }
    # Alert channels (channels.tf): the api seals a new channel's URL, send_alerts opens it.
    api = {
      CHANNEL_SECRET_KEY = google_secret_manager_secret.channel_secret_key.secret_id
    }
  }

  # Event functions get a second account that Pub/Sub or Eventarc use to invoke them.
  event_functions = toset([for name, f in local.functions : name if f.trigger != "http"])
}
