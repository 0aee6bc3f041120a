output "dashboard_url" {
  description = "Where customers open the dashboard (Firebase Hosting), also linked from alert emails."
  value       = local.dashboard_url
}

output "function_uris" {
  description = "Each function's HTTPS endpoint (Cloud Run URI). Only api is reachable from outside Google; the others accept only Pub/Sub and Eventarc."
  value       = { for name, f in google_cloudfunctions2_function.function : name => f.service_config[0].uri }
}

output "function_bundles" {
  description = "The source object each function was built from (content-hash names from `make package`)."
  value       = { for name, o in google_storage_bucket_object.bundle : name => "gs://${o.bucket}/${o.name}" }
}

output "service_accounts" {
  description = "Service accounts: each function's runtime identity, the invoker identity Pub/Sub or Eventarc use for each event function, and the build identity."
  value = {
    runtime = { for name, sa in google_service_account.function : name => sa.email }
    invoker = { for name, sa in google_service_account.invoker : name => sa.email }
    build   = google_service_account.build.email
  }
}

output "reseller_delegation" {
  description = "What the Workspace reseller admin authorises in the Admin console (Security → Access and data control → API controls → Domain-wide delegation): one entry per client id, with this scope."
  value = {
    scope      = "https://www.googleapis.com/auth/apps.order"
    subject    = var.reseller.admin_subject
    client_ids = { for name in keys(local.reseller_env) : name => google_service_account.function[name].unique_id }
  }
}

output "workspace_delegation" {
  description = "What the Workspace reseller admin authorises for the holder sync (Admin console → Security → Access and data control → API controls → Domain-wide delegation → Add new): this OAuth client id with exactly these scopes, comma-separated. apps.licensing has no read-only variant: only this account gets it."
  value = {
    client_id    = google_service_account.function["sync_holders"].unique_id
    scopes       = local.workspace_scopes
    scopes_comma = join(",", local.workspace_scopes)
    subject      = var.reseller.admin_subject
  }
}

output "unassign_delegation" {
  description = "apply_topup's domain-wide delegation entry (Admin console → Security → Access and data control → API controls → Domain-wide delegation): this client id with both scopes at once (one entry per client id; a second replaces the first). apps.order changes seats; apps.licensing unassigns the reclaimable add-on seats an admin confirms on the Reclaim page."
  value = {
    client_id    = google_service_account.function["apply_topup"].unique_id
    scopes       = local.unassign_scopes
    scopes_comma = join(",", local.unassign_scopes)
    subject      = var.reseller.admin_subject
  }
}

output "topics" {
  description = "Pub/Sub topics by role, with the dead-letter topics and their -inspect subscriptions."
  value = {
    topics              = { for key, t in google_pubsub_topic.topic : key => t.name }
    push_subscriptions  = { for key, s in google_pubsub_subscription.push : key => s.name }
    dead_letter_topics  = merge({ for key, t in google_pubsub_topic.dead_letter : key => t.name }, { firestore_triggers = google_pubsub_topic.firestore_dead_letter.name })
    dead_letter_inspect = merge({ for key, s in google_pubsub_subscription.dead_letter_inspect : key => s.name }, { firestore_triggers = google_pubsub_subscription.firestore_dead_letter_inspect.name })
  }
}

output "scheduler_jobs" {
  description = "Cloud Scheduler job names, as `licence-manager ops --prefix` derives them."
  value       = { for key, j in google_cloud_scheduler_job.job : key => j.id }
}

output "eventarc_dead_letter_commands" {
  description = "Run after an apply that created or recreated a Firestore trigger: attaches the dead-letter topic (5 attempts) to the subscription Eventarc owns, which Terraform cannot configure."
  value = [
    for key, t in google_eventarc_trigger.firestore : join(" ", [
      "gcloud pubsub subscriptions update", t.transport[0].pubsub[0].subscription,
      "--project", var.project_id,
      "--dead-letter-topic", google_pubsub_topic.firestore_dead_letter.id,
      "--max-delivery-attempts", tostring(local.max_delivery_attempts),
      "--min-retry-delay", local.retry_minimum_backoff,
      "--max-retry-delay", local.retry_maximum_backoff,
    ])
  ]
}

output "sendgrid_secret" {
  description = "Secret Manager secret that holds the SendGrid API key (add versions with gcloud; see README)."
  value       = google_secret_manager_secret.sendgrid_api_key.id
}

output "firebase_json" {
  description = "firebase.json for `firebase deploy --only hosting` from the web app's folder: the site, and /api/** rewritten to this deployment's api service."
  value       = jsonencode(local.firebase_json)
}

output "firebase_web_config" {
  description = "Firebase web configuration for the dashboard's sign-in. The values are public (they go to every browser) but the provider marks the API key sensitive: read them with `terraform output -json firebase_web_config`."
  sensitive   = true
  value = {
    projectId  = var.project_id
    appId      = google_firebase_web_app.dashboard.app_id
    apiKey     = data.google_firebase_web_app_config.dashboard.api_key
    authDomain = data.google_firebase_web_app_config.dashboard.auth_domain
  }
}

output "ops_command" {
  description = "The ops CLI invocation for this deployment (append status, run-sync-now, pause-automation or resume-automation)."
  value       = "licence-manager ops --project ${var.project_id} --region ${var.region} --prefix ${var.prefix}"
}

output "monitoring" {
  description = "Cloud Monitoring: the operations dashboard, the alert policies by concern and the log-based metrics they read (docs/operations.md is the runbook)."
  value = {
    dashboard = "https://console.cloud.google.com/monitoring/dashboards/builder/${element(split("/", google_monitoring_dashboard.operations.id), 3)}?project=${var.project_id}"
    alert_policies = merge(
      {
        sync_stalled         = google_monitoring_alert_policy.sync_stalled.name
        dead_letters         = google_monitoring_alert_policy.dead_letters.name
        topup_failed         = google_monitoring_alert_policy.topup_failed.name
        topup_blocked        = google_monitoring_alert_policy.topup_blocked.name
        email_failures       = google_monitoring_alert_policy.email_failures.name
        reseller_refusing    = google_monitoring_alert_policy.reseller_refusing.name
        function_errors      = google_monitoring_alert_policy.function_errors.name
        firestore_contention = google_monitoring_alert_policy.firestore_contention.name
      },
      { for name, p in google_monitoring_alert_policy.instance_saturation : "instance_saturation_${name}" => p.name },
    )
    notification_channels = local.alert_channel_ids
  }
}

output "reseller_events" {
  description = "Google's Reseller notification topic this deployment subscribes to, our push subscription on it and the dead-letter -inspect subscription (null when reseller_events_topic is not set)."
  value = var.reseller_events_topic == null ? null : {
    topic               = var.reseller_events_topic
    subscription        = google_pubsub_subscription.reseller_events["reseller_events"].name
    dead_letter_inspect = google_pubsub_subscription.reseller_events_dead_letter_inspect["reseller_events"].name
  }
}
