# Topics and the push subscriptions that deliver them to functions, as
# licence_manager_local.topology creates them on the emulator for `make run`.
#
# Every push subscription:
#   - pushes to <function URL>/projects/<project>/topics/<topic>: functions-framework turns the
#     push body into a CloudEvent whose source comes from that path;
#   - authenticates with an OIDC token for the function's invoker account (audience: its URL);
#   - retries with exponential backoff from 10 s to 600 s (retry_policy), and after 5 delivery
#     attempts moves the message to "<topic>-dead-letter" (dead_letter_policy); each dead-letter
#     topic has an "-inspect" pull subscription nobody consumes, so people can read what failed;
#   - waits for an answer as long as the function may run plus a minute, at most 600 s;
#   - never expires for inactivity (the default would delete an idle subscription after 31 days).

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; messages carry ids and seat counts, not secrets, and a CMEK key would add a KMS dependency to every publish.
  for_each   = local.topics
  project    = var.project_id
  name       = each.value
  depends_on = [google_project_service.service]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption, as for the topics whose messages land here.
  for_each   = local.push_routes
  project    = var.project_id
  name       = "${each.value.topic}-dead-letter"
  depends_on = [google_project_service.service]
}

resource "google_pubsub_subscription" "push" {
  for_each = local.push_routes
  project  = var.project_id
  name     = "${each.value.topic}-to-${each.value.function}"
  topic    = google_pubsub_topic.topic[each.key].id

  ack_deadline_seconds       = min(600, local.functions[each.value.function].timeout_seconds + 60)
  message_retention_duration = each.value.message_retention

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.function[each.value.function].service_config[0].uri}/projects/${var.project_id}/topics/${each.value.topic}"
    oidc_token {
      service_account_email = google_service_account.invoker[each.value.function].email
      audience              = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = local.retry_minimum_backoff
    maximum_backoff = local.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = local.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.invoker,
    google_service_account_iam_member.pubsub_token_creator,
  ]
}

resource "google_pubsub_subscription" "dead_letter_inspect" {
  for_each                   = local.push_routes
  project                    = var.project_id
  name                       = "${each.value.topic}-dead-letter-inspect"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering: Pub/Sub's service agent publishes to the dead-letter topic and acknowledges
# the message on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.push_routes
  project  = var.project_id
  topic    = google_pubsub_topic.dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = local.push_routes
  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Who may publish where (see the table in service-accounts.tf): exactly the topics each
# function's code can publish to (tests/infra derives them from the code, not from this list).
# Cloud Scheduler publishes to its topics as its own service agent, which holds that permission
# already.
locals {
  publishers = {
    evaluate_thresholds_topups = { function = "evaluate_thresholds", topic = "topup_requests" }
    evaluate_thresholds_alerts = { function = "evaluate_thresholds", topic = "alerts" }
    apply_topup_topups         = { function = "apply_topup", topic = "topup_requests" }
    apply_topup_alerts         = { function = "apply_topup", topic = "alerts" }
    send_alerts_alerts         = { function = "send_alerts", topic = "alerts" }
    send_alerts_month_end      = { function = "send_alerts", topic = "month_end_report" }
    send_alerts_month_end_each = { function = "send_alerts", topic = "month_end_customer" }
    sweep_requests_topups      = { function = "sweep_requests", topic = "topup_requests" }
    sweep_requests_alerts      = { function = "sweep_requests", topic = "alerts" }
    api_topups                 = { function = "api", topic = "topup_requests" }
    api_alerts                 = { function = "api", topic = "alerts" }
    sync_holders_page          = { function = "sync_holders", topic = "sync_holders" }
    sync_holders_each          = { function = "sync_holders", topic = "sync_holders_customer" }
    sync_holders_alerts        = { function = "sync_holders", topic = "alerts" }
    verify_audit_page          = { function = "verify_audit", topic = "verify_audit" }
    verify_audit_each          = { function = "verify_audit", topic = "verify_audit_customer" }
  }
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.publishers
  project  = var.project_id
  topic    = google_pubsub_topic.topic[each.value.topic].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}
